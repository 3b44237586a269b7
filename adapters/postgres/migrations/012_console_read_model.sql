-- The console's read model, fed from the switch's topics by the console itself (it never
-- writes the switch's tables): which meters each institution has looked up or bought for
-- (type-ahead and meter pages show only those), each transaction's events for the
-- transaction search, and the CLEARED that followed a MARK for the audit log.

CREATE TABLE console_meter_sightings (
    institution_id text NOT NULL,
    meter_number   text COLLATE "C" NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    -- (institution, prefix range) is a plain range scan of the primary key, in order.
    PRIMARY KEY (institution_id, meter_number)
);

-- One row per lookup or purchase: its input event and its output events in arrival order.
-- Tokens are masked (all but the last four digits) before they are written here.
CREATE TABLE console_transactions (
    institution_id text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('LOOKUP', 'PURCHASE')),
    transaction_id text NOT NULL,
    meter_number   text COLLATE "C" NOT NULL,
    requested_at   timestamptz NOT NULL,
    input          jsonb,
    outputs        jsonb NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (institution_id, kind, transaction_id)
);
CREATE INDEX console_transactions_meter_idx
    ON console_transactions (institution_id, meter_number, requested_at DESC);
CREATE INDEX console_transactions_recent_idx
    ON console_transactions (institution_id, requested_at DESC);

CREATE TABLE console_rebroadcast_clears (
    event_id     uuid PRIMARY KEY,
    meter_number text COLLATE "C" NOT NULL,
    cleared_at   timestamptz NOT NULL,
    reason       text
);
CREATE INDEX console_rebroadcast_clears_meter_idx
    ON console_rebroadcast_clears (meter_number, cleared_at);

-- Where the console's feed has read each partition to; advanced in the same transaction as
-- the rows the records produced, so a restart neither skips nor doubles anything.
CREATE TABLE console_feed_offsets (
    topic       text NOT NULL,
    "partition" integer NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, "partition")
);

-- Routing preferences edited in the console. The TOML file seeds an institution's first
-- values once (routing_seeded records that), after which these rows are the truth: every
-- switch instance reloads them when notified on channel ppu_routing, for its next purchase.
CREATE TABLE routing_preferences (
    institution_id text NOT NULL,
    utility_id     text NOT NULL,
    ranked         text[] NOT NULL DEFAULT '{}',
    excluded       text[] NOT NULL DEFAULT '{}',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL,
    PRIMARY KEY (institution_id, utility_id)
);
CREATE TABLE routing_meter_preferences (
    institution_id text NOT NULL,
    meter_number   text COLLATE "C" NOT NULL,
    provider_id    text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL,
    PRIMARY KEY (institution_id, meter_number)
);
CREATE TABLE routing_seeded (
    institution_id text PRIMARY KEY,
    seeded_at      timestamptz NOT NULL DEFAULT now()
);
