"""Server-side sessions in PostgreSQL: created at sign-in, touched on each request, revoked
by sign-out, a password change or "sign out everywhere"; idle and absolute limits apply.
"""

from __future__ import annotations

import secrets

import asyncpg

from service.console.sessions import Session, token_hash

_CREATE = """
INSERT INTO console_sessions (token_hash, institution_id, username, csrf_token, expires_at)
VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
RETURNING expires_at
"""
# One round trip reads and touches: a revoked, expired or idle session matches no row.
_TOUCH = """
UPDATE console_sessions SET last_seen_at = now()
WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
  AND last_seen_at > now() - make_interval(secs => $2)
RETURNING institution_id, username, csrf_token, expires_at
"""
_TOKEN_MAX = 100  # ours are 43 characters; anything far longer is not worth a query
# Rows kept a day past their end, for the record; older ones go at each sign-in.
_FORGET_OLD = "DELETE FROM console_sessions WHERE expires_at < now() - interval '1 day'"
_REVOKE = "UPDATE console_sessions SET revoked_at = now() WHERE token_hash = $1"
_REVOKE_USER = """
UPDATE console_sessions SET revoked_at = now()
WHERE institution_id = $1 AND username = $2 AND revoked_at IS NULL
"""


class SessionStore:
    """Sessions on the console's pool."""

    def __init__(self, pool: asyncpg.Pool, *, ttl_s: int, idle_s: int) -> None:
        self._pool = pool
        self._ttl_s = ttl_s
        self._idle_s = idle_s

    async def create(self, institution_id: str, username: str) -> tuple[Session, str]:
        """A new session and the token its cookie carries."""
        token = secrets.token_urlsafe(32)
        digest = token_hash(token)
        csrf = secrets.token_urlsafe(32)
        async with self._pool.acquire() as conn:
            await conn.execute(_FORGET_OLD)
            expires = await conn.fetchval(
                _CREATE, digest, institution_id, username, csrf, float(self._ttl_s)
            )
        session = Session(
            institution_id=institution_id,
            username=username,
            session_id=digest.hex(),
            csrf_token=csrf,
            expires_at=expires,
        )
        return session, token

    async def read(self, token: str | None) -> Session | None:
        """The live session a cookie names (and mark it used), or None."""
        if not token or len(token) > _TOKEN_MAX:
            return None
        digest = token_hash(token)
        row = await self._pool.fetchrow(_TOUCH, digest, float(self._idle_s))
        if row is None:
            return None
        return Session(
            institution_id=row["institution_id"],
            username=row["username"],
            session_id=digest.hex(),
            csrf_token=row["csrf_token"],
            expires_at=row["expires_at"],
        )

    async def revoke(self, session: Session) -> None:
        """End one session (sign-out)."""
        await self._pool.execute(_REVOKE, bytes.fromhex(session.session_id))

    async def revoke_user(self, institution_id: str, username: str) -> int:
        """End every session of one user; how many were live."""
        status: str = await self._pool.execute(_REVOKE_USER, institution_id, username)
        return int(status.rsplit(" ", 1)[-1])
