"""Signed session cookies and the CSRF tokens bound to them (HMAC-SHA256 with the secret).

A session cookie is `<payload, base64url>.<signature>`; the payload names the institution,
the user, a random session id and the expiry. The CSRF token is the HMAC of the session id,
so a page can carry it and a forged cross-site form cannot know it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "ppu_console_session"
LOGIN_COOKIE = "ppu_console_login"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A signed-in console user: who, for which institution, until when."""

    institution_id: str
    username: str
    session_id: str
    expires_at: float

    @property
    def actor(self) -> str:
        """`<institution>/<username>`, the requested_by of this user's actions."""
        return f"{self.institution_id}/{self.username}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Issues and reads session cookies; rejects anything unsigned, altered or expired."""

    def __init__(
        self, *, secret: bytes, ttl_s: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self._ttl_s = ttl_s
        self._clock = clock

    def _sign(self, purpose: str, data: str) -> str:
        mac = hmac.new(self._secret, f"{purpose}:{data}".encode(), hashlib.sha256)
        return _b64(mac.digest())

    def issue(self, *, institution_id: str, username: str) -> tuple[Session, str]:
        """A new session and its cookie value."""
        session = Session(
            institution_id=institution_id,
            username=username,
            session_id=secrets.token_urlsafe(16),
            expires_at=self._clock() + self._ttl_s,
        )
        body = {
            "i": institution_id,
            "u": username,
            "s": session.session_id,
            "e": session.expires_at,
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return session, f"{payload}.{self._sign('session', payload)}"

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign("session", payload)):
            return None
        try:
            body = json.loads(_unb64(payload))
            session = Session(
                institution_id=str(body["i"]),
                username=str(body["u"]),
                session_id=str(body["s"]),
                expires_at=float(body["e"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires_at > self._clock() else None

    def csrf_token(self, session_id: str) -> str:
        """The CSRF token of a session (or of a sign-in form's nonce)."""
        return self._sign("csrf", session_id)

    def csrf_ok(self, session_id: str, token: str | None) -> bool:
        """Tell whether `token` is this session's CSRF token."""
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(session_id))
