-- Event ids are claimed before any work (rule 21): the first record with an event id records a
-- SHA-256 of its value, so a later record reusing the id with other content is answered as
-- such instead of being skipped as a replay. `applied` turns true in the transaction that
-- applies the event, exactly where the mark used to be inserted. Rows from before this
-- migration were applied, and their content is unknown (NULL: any copy counts as a replay).
ALTER TABLE processed_events
    ADD COLUMN content_sha256 bytea,
    ADD COLUMN applied boolean NOT NULL DEFAULT true;
