"""The Account page: change one's password, or sign out everywhere; both end other sessions."""

from __future__ import annotations

import structlog
from aiohttp import web

from service.console.account_pages import account_page
from service.console.context import console_of, session_of
from service.console.layout import page
from service.console.login import set_cookie
from service.console.sessions import COOKIE

log = structlog.get_logger(__name__)
MIN_LENGTH = 12


def _account(request: web.Request, notice: str | None = None, status: int = 200) -> web.Response:
    session = session_of(request)
    body = account_page(
        csrf=session.csrf_token, actor=session.actor, min_length=MIN_LENGTH, notice=notice
    )
    text = page("Account", body, session=session, csrf=session.csrf_token)
    return web.Response(text=text, content_type="text/html", status=status)


async def account(request: web.Request) -> web.Response:
    """GET /account: the password form and the sign-out-everywhere button."""
    changed = request.query.get("changed") == "1"
    notice = "Password changed; every other session has ended." if changed else None
    return _account(request, notice)


def _new_password_problem(current: str, new: str, again: str) -> str | None:
    if new != again:
        return "The two new passwords differ."
    if len(new) < MIN_LENGTH:
        return f"The new password needs at least {MIN_LENGTH} characters."
    if new == current:
        return "The new password is the current one."
    return None


async def change_password(request: web.Request) -> web.Response:
    """POST /account/password: check the current password, store the new one, end every
    other session and start a fresh one here."""
    console, session = console_of(request), session_of(request)
    form = await request.post()
    current, new, again = (str(form.get(k, "")) for k in ("current", "new", "again"))
    # Guesses at the current password count like failed sign-ins (a stolen session is no
    # shortcut to the password).
    attempt = await console.throttle.begin(
        session.institution_id, session.username, request.remote or "unknown"
    )
    if attempt.throttled:
        message = f"Too many wrong passwords. Try again in {attempt.minutes} minute(s)."
        return _account(request, message, 429)
    if not await console.auth.authenticate(session.institution_id, session.username, current):
        return _account(request, "The current password is wrong; nothing changed.", 400)
    await console.throttle.succeeded(attempt)
    problem = _new_password_problem(current, new, again)
    if problem:
        return _account(request, f"{problem} Nothing changed.", 400)
    await console.auth.change_password(session.institution_id, session.username, new)
    ended = await console.sessions.revoke_user(session.institution_id, session.username)
    await console.store.record_audit(
        actor=session.actor,
        institution_id=session.institution_id,
        action="PASSWORD_CHANGED",
        subject=session.actor,
        details={"sessions_ended": ended},
    )
    _, token = await console.sessions.create(session.institution_id, session.username)
    response = web.HTTPSeeOther("/account?changed=1")
    set_cookie(request, response, COOKIE, token)
    log.info("console_password_changed", institution_id=session.institution_id)
    raise response


async def sign_out_everywhere(request: web.Request) -> web.Response:
    """POST /account/sign-out-everywhere: revoke every session of this user, this one too."""
    console, session = console_of(request), session_of(request)
    ended = await console.sessions.revoke_user(session.institution_id, session.username)
    await console.store.record_audit(
        actor=session.actor,
        institution_id=session.institution_id,
        action="SIGNED_OUT_EVERYWHERE",
        subject=session.actor,
        details={"sessions_ended": ended},
    )
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    log.info("console_signed_out_everywhere", institution_id=session.institution_id)
    raise response
