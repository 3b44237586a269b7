"""Session values and the sign-in form's CSRF tokens (sessions live in PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.console.sessions import FormTokens, Session, token_hash


def _session() -> Session:
    return Session(
        institution_id="INST",
        username="alice",
        session_id="ab",
        csrf_token="the-token",
        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_actor_is_institution_slash_username() -> None:
    """requested_by of a user's actions is `<institution>/<username>`."""
    assert _session().actor == "INST/alice"


def test_only_the_session_s_own_csrf_token_is_accepted() -> None:
    """The token stored with the session passes; another, an empty or a missing one fails."""
    session = _session()
    assert session.csrf_ok("the-token")
    assert not session.csrf_ok("the-token2")
    assert not session.csrf_ok("")
    assert not session.csrf_ok(None)


def test_form_tokens_are_bound_to_their_nonce_and_secret() -> None:
    """A form token passes for its nonce only, and never under another secret."""
    forms = FormTokens(secret=b"k" * 32)
    token = forms.token("nonce-1")
    assert forms.ok("nonce-1", token)
    assert not forms.ok("nonce-2", token)
    assert not forms.ok("", token)
    assert not FormTokens(secret=b"j" * 32).ok("nonce-1", token)


def test_the_database_keeps_a_hash_of_the_token_never_the_token() -> None:
    """token_hash is SHA-256: 32 bytes, stable, different per token."""
    assert len(token_hash("a")) == 32
    assert token_hash("a") == token_hash("a") != token_hash("b")
