-- Retention (service/engine/retention.py) deletes the oldest expired rows in small batches.
-- processed_events and advices have no key that grows with time, so without these indexes each
-- batch would scan the whole table. outbox and purchase_attempts need none: their bigserial ids
-- grow with time and the job walks them in id order.
-- A btree on a timestamp that only grows takes each insert at its right edge: cheap on the hot
-- path. On a deployment with a large table this CREATE INDEX blocks writes to it while it
-- builds; build it beforehand with CREATE INDEX CONCURRENTLY under the same name to avoid that.
CREATE INDEX IF NOT EXISTS processed_events_age_idx ON processed_events (processed_at);
-- Only finished advices are ever deleted; the pending ones stay out of this index.
CREATE INDEX IF NOT EXISTS advices_finished_idx ON advices (finished_at)
    WHERE state IN ('DELIVERED', 'REJECTED');
