-- Copies of a purchase request with the same fingerprint, made while the first copy was still
-- undecided (another Kafka key, another instance): each gets the first outcome replayed, with
-- an event id derived from its own, in the transaction that decides it (rule 18).
ALTER TABLE purchases ADD COLUMN duplicate_waiters uuid[] NOT NULL DEFAULT '{}';
