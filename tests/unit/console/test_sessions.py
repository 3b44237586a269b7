"""Signed session cookies: issued, read back, refused when altered or expired; CSRF tokens."""

from __future__ import annotations

from service.console.sessions import SessionCodec


class Clock:
    """Seconds, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_issued_cookie_reads_back_as_its_session() -> None:
    """The cookie names the institution and user; actor is institution/user."""
    codec = SessionCodec(secret=b"k" * 32, ttl_s=60)
    session, cookie = codec.issue(institution_id="INST", username="alice")
    assert codec.read(cookie) == session
    assert session.actor == "INST/alice"


def test_altered_foreign_or_expired_cookies_are_refused() -> None:
    """A changed byte, another secret's cookie or an expired one reads as no session."""
    clock = Clock()
    codec = SessionCodec(secret=b"k" * 32, ttl_s=60, clock=clock)
    _, cookie = codec.issue(institution_id="INST", username="alice")
    payload, signature = cookie.split(".")
    assert codec.read(f"{payload}x.{signature}") is None
    assert codec.read(None) is None
    assert codec.read("garbage") is None
    _, foreign = SessionCodec(secret=b"o" * 32, ttl_s=60).issue(
        institution_id="INST", username="alice"
    )
    assert codec.read(foreign) is None
    clock.now += 61
    assert codec.read(cookie) is None


def test_a_csrf_token_belongs_to_one_session() -> None:
    """The token of one session fails for another; an empty token always fails."""
    codec = SessionCodec(secret=b"k" * 32, ttl_s=60)
    one, _ = codec.issue(institution_id="INST", username="alice")
    two, _ = codec.issue(institution_id="INST", username="alice")
    token = codec.csrf_token(one.session_id)
    assert codec.csrf_ok(one.session_id, token)
    assert not codec.csrf_ok(two.session_id, token)
    assert not codec.csrf_ok(one.session_id, None)
    assert not codec.csrf_ok(one.session_id, "")
