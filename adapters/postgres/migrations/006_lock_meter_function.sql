-- Lock a meter (creating it when new) and read its support rows in one round trip. One plain
-- statement cannot: its snapshot is taken before it waits for the lock, so it could miss the
-- support rows that the lock's previous holder committed. Inside a volatile function each
-- statement takes a fresh snapshot, so the second one runs after the lock is held.
CREATE FUNCTION ppu_lock_meter(p_meter text)
RETURNS TABLE (
    meter_number text, utility_id text, last_broadcast_at timestamptz,
    flag_requested_by text, flag_requested_at timestamptz, flag_reason text,
    provider_ids text[], statuses text[], responded_at timestamptz[]
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
           array_agg(s.provider_id ORDER BY s.provider_id),
           array_agg(s.status ORDER BY s.provider_id),
           array_agg(s.last_response_at ORDER BY s.provider_id)
    FROM meter_support s WHERE s.meter_number = p_meter;
END
$$;
