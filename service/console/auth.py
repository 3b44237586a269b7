"""Sign-in against the console users: the configuration names them, and holds each one's
first password hash; a password changed in the console lives in `console_passwords`.
scrypt runs in a worker thread.
"""

from __future__ import annotations

import asyncio

import asyncpg

from service.config import SwitchConfig
from service.console.passwords import hash_password, verify_password

# Checked when the user does not exist, so an unknown name costs as long as a wrong password.
_DECOY = "scrypt$16384$8$1$AL7CZKJIFE54oODi2sz8Cg==$iHdEkmWqzXtJ7ED79Dvfoy2z1ImQQYb9yJrKwPXWX4Q="
_CHANGED = "SELECT password_hash FROM console_passwords WHERE institution_id = $1 AND username = $2"
_CHANGE = """
INSERT INTO console_passwords (institution_id, username, password_hash) VALUES ($1, $2, $3)
ON CONFLICT (institution_id, username) DO UPDATE SET
    password_hash = EXCLUDED.password_hash, changed_at = now()
"""


class Authenticator:
    """Knows each institution's console users and checks their passwords."""

    def __init__(self, config: SwitchConfig, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._hashes = {
            (inst.id, user.username): user.password_hash
            for inst in config.institutions
            for user in inst.console_users
        }

    def knows(self, institution_id: str, username: str) -> bool:
        """Tell whether the user is (still) configured for the institution."""
        return (institution_id, username) in self._hashes

    async def _hash_of(self, institution_id: str, username: str) -> str:
        # The query runs for unknown users too, so both paths cost the same.
        changed = await self._pool.fetchval(_CHANGED, institution_id, username)
        configured = self._hashes.get((institution_id, username))
        if configured is None:
            return _DECOY
        return str(changed) if changed else configured

    async def authenticate(self, institution_id: str, username: str, password: str) -> bool:
        """Tell whether the password is the user's; unknown users never sign in."""
        encoded = await self._hash_of(institution_id, username)
        matches = await asyncio.to_thread(verify_password, password, encoded)
        return matches and self.knows(institution_id, username)

    async def change_password(self, institution_id: str, username: str, password: str) -> None:
        """Store a new password for a configured user."""
        encoded = await asyncio.to_thread(hash_password, password)
        await self._pool.execute(_CHANGE, institution_id, username, encoded)
