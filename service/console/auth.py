"""Sign-in against the configuration's console users; scrypt runs in a worker thread."""

from __future__ import annotations

import asyncio

from service.config import SwitchConfig
from service.console.passwords import verify_password

# Checked when the user does not exist, so an unknown name costs as long as a wrong password.
_DECOY = "scrypt$16384$8$1$AL7CZKJIFE54oODi2sz8Cg==$iHdEkmWqzXtJ7ED79Dvfoy2z1ImQQYb9yJrKwPXWX4Q="


class Authenticator:
    """Knows each institution's console users and checks their passwords."""

    def __init__(self, config: SwitchConfig) -> None:
        self._hashes = {
            (inst.id, user.username): user.password_hash
            for inst in config.institutions
            for user in inst.console_users
        }

    def knows(self, institution_id: str, username: str) -> bool:
        """Tell whether the user is (still) configured for the institution."""
        return (institution_id, username) in self._hashes

    async def authenticate(self, institution_id: str, username: str, password: str) -> bool:
        """Tell whether the password is the user's; unknown users never sign in."""
        encoded = self._hashes.get((institution_id, username), _DECOY)
        matches = await asyncio.to_thread(verify_password, password, encoded)
        return matches and self.knows(institution_id, username)
