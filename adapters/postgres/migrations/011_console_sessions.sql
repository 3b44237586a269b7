-- Console sign-ins kept server-side, so sign-out, a password change or "sign out everywhere"
-- ends them for good: a copied cookie is worth nothing once its row is revoked. Only the
-- SHA-256 of the cookie's random token is stored, so a read of this table signs nobody in.
CREATE TABLE console_sessions (
    token_hash     bytea PRIMARY KEY,
    institution_id text NOT NULL,
    username       text NOT NULL,
    csrf_token     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz
);
CREATE INDEX console_sessions_user_idx ON console_sessions (institution_id, username)
    WHERE revoked_at IS NULL;

-- Sign-in attempts being checked or failed, per typed (institution, username) and per client
-- address; shared by every console instance, so throttling holds behind a load balancer.
CREATE TABLE console_sign_in_attempts (
    id         bigserial PRIMARY KEY,
    subject    text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sign_in_attempts_idx ON console_sign_in_attempts (subject, at DESC);

-- A console user's password once changed in the console; the TOML file's hash is the first.
CREATE TABLE console_passwords (
    institution_id text NOT NULL,
    username       text NOT NULL,
    password_hash  text NOT NULL,
    changed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_id, username)
);

-- The audit log is read per institution and per exact actor.
CREATE INDEX audit_log_institution_idx ON audit_log (institution_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id DESC);
