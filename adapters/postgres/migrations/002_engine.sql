-- Stream engine: the transactional outbox and the record of input events already applied.

-- Output events written in the same transaction as the state change that caused them,
-- published to Kafka by the relay. payload holds the canonical JSON bytes, so a row
-- published twice (after a relay crash) is byte-identical, with the same event_id.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    topic        text NOT NULL,
    key          text,
    payload      bytea NOT NULL,
    event_id     uuid NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
-- The relay reads only unpublished rows, in id order; published rows stay out of this index.
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- One row per input event a consumer group has applied, written in the handler's transaction,
-- so a redelivered event (crash, rebalance, duplicate publish) is recognised and not re-applied.
CREATE TABLE processed_events (
    consumer_group text NOT NULL,
    event_id       uuid NOT NULL,
    topic          text NOT NULL,
    "partition"    integer NOT NULL,
    "offset"       bigint NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, event_id)
);
