-- Meters and their per-provider support (rules 1-6), the routing block per institution
-- (rule 6) kept apart from a municipality's credit-control block (rule 16).

-- The console suggests meters as a number is typed. With the C collation the primary key's
-- btree serves a prefix as a plain range scan, in order, whatever the database's collation
-- and whether or not the plan is generic, so it stays fast at a million meters.
CREATE TABLE meters (
    meter_number        text COLLATE "C" PRIMARY KEY,
    utility_id          text,
    last_broadcast_at   timestamptz,
    flag_requested_by   text,
    flag_requested_at   timestamptz,
    flag_reason         text,
    -- METER_ID_BLOCKED seen on the meter's last purchase: a decline, never a routing block.
    credit_block_provider_id text,
    credit_block_seen_at     timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((flag_requested_by IS NULL) = (flag_requested_at IS NULL))
);

CREATE TABLE meter_support (
    meter_number     text NOT NULL REFERENCES meters ON DELETE CASCADE,
    provider_id      text NOT NULL,
    status           text NOT NULL CHECK (status IN ('SUPPORTED', 'NOT_SUPPORTED', 'UNCONFIRMED')),
    last_response_at timestamptz,
    PRIMARY KEY (meter_number, provider_id)
);

CREATE TABLE meter_routing_blocks (
    meter_number   text NOT NULL REFERENCES meters ON DELETE CASCADE,
    institution_id text NOT NULL,
    blocked        boolean NOT NULL,
    changed_at     timestamptz NOT NULL,
    PRIMARY KEY (meter_number, institution_id)
);

-- When providers name a meter's utility differently, what each said (rule 3 evidence).
CREATE TABLE meter_utility_reports (
    meter_number  text NOT NULL REFERENCES meters ON DELETE CASCADE,
    provider_id   text NOT NULL,
    receiver_id   text,
    receiver_name text,
    utility_id    text,
    reported_at   timestamptz NOT NULL,
    PRIMARY KEY (meter_number, provider_id)
);
