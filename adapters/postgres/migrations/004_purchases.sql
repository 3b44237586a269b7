-- The purchase ledger (rules 8, 13, 14): one row per purchase id with an explicit state,
-- every attempt at a provider, the outcome event as first published (replayed to a duplicate
-- request), and the store-and-forward advices.

CREATE TABLE purchases (
    purchase_id       uuid PRIMARY KEY,
    request_event_id  uuid NOT NULL,
    institution_id    text NOT NULL,
    meter_number      text COLLATE "C" NOT NULL,
    amount_value      bigint NOT NULL CHECK (amount_value >= 0),
    currency          text NOT NULL,
    utility_type      text NOT NULL,
    state             text NOT NULL,
    provider_id       text,
    tried_providers   text[] NOT NULL DEFAULT '{}',
    retries_made      integer NOT NULL DEFAULT 0,
    first_unknown_at  timestamptz,
    next_retry_at     timestamptz,
    outcome_topic     text,
    outcome_payload   jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchases_recovery_idx ON purchases (next_retry_at) WHERE state = 'UNKNOWN';
-- A purchase left SENT longer than any provider call can take lost its handler (deadline,
-- crash without redelivery): the recovery worker finds it here.
CREATE INDEX purchases_sent_idx ON purchases (updated_at) WHERE state = 'SENT';
CREATE INDEX purchases_meter_idx ON purchases (meter_number, created_at DESC);

CREATE TABLE purchase_attempts (
    id           bigserial PRIMARY KEY,
    purchase_id  uuid NOT NULL REFERENCES purchases ON DELETE CASCADE,
    provider_id  text NOT NULL,
    operation    text NOT NULL CHECK (operation IN ('PURCHASE', 'RETRY')),
    result       text NOT NULL,
    http_status  integer,
    error_type   text,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_attempts_purchase_idx ON purchase_attempts (purchase_id, id);

CREATE TABLE advices (
    advice_id        uuid PRIMARY KEY,
    purchase_id      uuid NOT NULL REFERENCES purchases ON DELETE CASCADE,
    provider_id      text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('CONFIRMATION', 'REVERSAL')),
    reason           text,
    state            text NOT NULL CHECK (state IN ('PENDING', 'DELIVERED', 'REJECTED')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX advices_due_idx ON advices (next_attempt_at) WHERE state = 'PENDING';
