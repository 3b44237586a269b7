-- The meter lock also reads which institutions the meter was last announced blocked for, so the
-- lookup that records answers needs no round trip of its own to learn it (the rows are only
-- written under this same lock, so they cannot change while it is held).
DROP FUNCTION ppu_lock_meter(text);
CREATE FUNCTION ppu_lock_meter(p_meter text)
RETURNS TABLE (
    meter_number text, utility_id text, last_broadcast_at timestamptz,
    flag_requested_by text, flag_requested_at timestamptz, flag_reason text,
    provider_ids text[], statuses text[], responded_at timestamptz[], blocked_for text[]
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    locked meters%ROWTYPE;
BEGIN
    INSERT INTO meters AS m (meter_number) VALUES (p_meter)
    ON CONFLICT (meter_number) DO UPDATE SET meter_number = EXCLUDED.meter_number
    RETURNING m.* INTO locked;
    RETURN QUERY
    SELECT locked.meter_number::text, locked.utility_id, locked.last_broadcast_at,
           locked.flag_requested_by, locked.flag_requested_at, locked.flag_reason,
           s.provider_ids, s.statuses, s.responded_at, b.blocked_for
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
    ) b;
END
$$;
