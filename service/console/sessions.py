"""Console sessions: the signed-in user, and the HMAC tokens that protect the sign-in form.

A session cookie is a random token; its SHA-256 names the row in `console_sessions`
(session_store.py), which also holds the session's own random CSRF token. The sign-in form,
before any session exists, carries the HMAC of a nonce cookie instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

COOKIE = "ppu_console_session"
LOGIN_COOKIE = "ppu_console_login"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A signed-in console user: who, for which institution, until when."""

    institution_id: str
    username: str
    session_id: str
    csrf_token: str
    expires_at: datetime

    @property
    def actor(self) -> str:
        """`<institution>/<username>`, the requested_by of this user's actions."""
        return f"{self.institution_id}/{self.username}"

    def csrf_ok(self, token: str | None) -> bool:
        """Tell whether `token` is this session's CSRF token."""
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token)


def token_hash(token: str) -> bytes:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8")).digest()


class FormTokens:
    """CSRF tokens of the sign-in form: the HMAC of the form's nonce cookie."""

    def __init__(self, *, secret: bytes) -> None:
        self._secret = secret

    def token(self, nonce: str) -> str:
        """The form's CSRF token for this nonce."""
        mac = hmac.new(self._secret, f"login:{nonce}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")

    def ok(self, nonce: str, token: str | None) -> bool:
        """Tell whether `token` belongs to this nonce."""
        return bool(nonce and token) and hmac.compare_digest(str(token), self.token(nonce))
