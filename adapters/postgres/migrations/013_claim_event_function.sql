-- Claim an input event's id (rule 21) in one round trip, without a WAL flush of its own.
-- Inside a volatile function each statement takes a fresh snapshot, so after the insert ran
-- into a concurrent claim (and waited for it) the read sees that claim. The commit need not be
-- flushed: nothing outside the database depends on the claim before a later commit (the
-- purchase claim, the SENT mark, the unit of work) flushes the WAL, and with it this record.
CREATE FUNCTION ppu_claim_event(
    p_group text, p_event uuid, p_topic text, p_partition integer, p_offset bigint, p_sha bytea
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    held bytea;
    done boolean;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO processed_events
        (consumer_group, event_id, topic, "partition", "offset", content_sha256, applied)
    VALUES (p_group, p_event, p_topic, p_partition, p_offset, p_sha, false)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN 'NEW';
    END IF;
    SELECT content_sha256, applied INTO held, done
    FROM processed_events WHERE consumer_group = p_group AND event_id = p_event;
    IF NOT FOUND THEN
        RETURN 'NEW';  -- the mark expired meanwhile (retention): as good as new
    END IF;
    IF held IS NOT NULL AND p_sha IS NOT NULL AND held <> p_sha THEN
        RETURN 'REUSED';
    END IF;
    RETURN CASE WHEN done THEN 'REPLAY' ELSE 'NEW' END;
END
$$;
