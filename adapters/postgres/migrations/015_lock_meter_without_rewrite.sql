-- The meter lock no longer rewrites the meter row: a plain row lock on a known meter, the
-- upsert only for a new one. The upsert wrote a new row version (and its WAL) on every lookup,
-- purchase and mark just to take the lock. FOR NO KEY UPDATE serialises the switch's writers
-- of a meter just the same, and leaves foreign-key checks of other tables free to proceed.
--
-- The lock also reads each provider's utility report, so the repository can write only the
-- reports that changed: `reported_at` is now when the provider first gave its present naming.
DROP FUNCTION ppu_lock_meter(text);
CREATE FUNCTION ppu_lock_meter(p_meter text)
RETURNS TABLE (
    meter_number text, utility_id text, last_broadcast_at timestamptz,
    flag_requested_by text, flag_requested_at timestamptz, flag_reason text,
    provider_ids text[], statuses text[], responded_at timestamptz[], blocked_for text[],
    report_providers text[], report_receiver_ids text[], report_receiver_names text[],
    report_utility_ids text[]
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    locked meters%ROWTYPE;
BEGIN
    SELECT * INTO locked FROM meters WHERE meters.meter_number = p_meter FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        -- Two new meters racing: the loser's DO UPDATE waits for the winner, then locks its row.
        INSERT INTO meters AS m (meter_number) VALUES (p_meter)
        ON CONFLICT (meter_number) DO UPDATE SET meter_number = EXCLUDED.meter_number
        RETURNING m.* INTO locked;
    END IF;
    RETURN QUERY
    SELECT locked.meter_number::text, locked.utility_id, locked.last_broadcast_at,
           locked.flag_requested_by, locked.flag_requested_at, locked.flag_reason,
           s.provider_ids, s.statuses, s.responded_at, b.blocked_for,
           r.providers, r.receiver_ids, r.receiver_names, r.utility_ids
    FROM (
        SELECT array_agg(provider_id ORDER BY provider_id) AS provider_ids,
               array_agg(status ORDER BY provider_id) AS statuses,
               array_agg(last_response_at ORDER BY provider_id) AS responded_at
        FROM meter_support WHERE meter_support.meter_number = p_meter
    ) s,
    (
        SELECT coalesce(array_agg(institution_id), '{}') AS blocked_for
        FROM meter_routing_blocks WHERE meter_routing_blocks.meter_number = p_meter
            AND blocked
    ) b,
    (
        SELECT coalesce(array_agg(provider_id), '{}') AS providers,
               array_agg(receiver_id) AS receiver_ids,
               array_agg(receiver_name) AS receiver_names,
               array_agg(utility_id) AS utility_ids
        FROM meter_utility_reports WHERE meter_utility_reports.meter_number = p_meter
    ) r;
END
$$;

COMMENT ON COLUMN meter_utility_reports.reported_at IS
    'when the provider first gave this naming (rewritten only when the naming changes)';
