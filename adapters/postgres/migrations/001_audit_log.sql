-- Audit log: every change to routing preferences and every rebroadcast mark, kept for good.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    institution_id text,
    action       text NOT NULL,
    subject      text NOT NULL,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, occurred_at DESC);
