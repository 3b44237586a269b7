"""Sign-in and sign-out. The sign-in form has its own CSRF token, bound to a nonce cookie;
attempts are throttled per user and per client address, and throttling is audited.
"""

from __future__ import annotations

import secrets

import structlog
from aiohttp import web

from service.console.account_pages import login_page
from service.console.context import console_of, session_of
from service.console.layout import page
from service.console.redirects import safe_next
from service.console.security import csrf_token_sent
from service.console.sessions import COOKIE, LOGIN_COOKIE
from service.console.throttle import Attempt

log = structlog.get_logger(__name__)
_WRONG = "Sign-in failed: the institution, username or password is wrong."


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    """A session-lifetime cookie: HttpOnly (no script reads it), SameSite Strict."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="Strict",
        secure=console_of(request).settings.secure_cookies,
        path="/",
    )


def _form(
    request: web.Request,
    *,
    next_path: str,
    error: str | None = None,
    typed: tuple[str, str] = ("", ""),
    status: int = 200,
) -> web.Response:
    # Keep a nonce the browser already has: a parallel GET (a favicon redirected here) must
    # not invalidate the form already on screen.
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    csrf = console_of(request).forms.token(nonce)
    body = login_page(
        csrf=csrf, next_path=next_path, error=error, institution=typed[0], username=typed[1]
    )
    response = web.Response(text=page("Sign in", body), content_type="text/html", status=status)
    set_cookie(request, response, LOGIN_COOKIE, nonce)
    return response


async def login_form(request: web.Request) -> web.Response:
    """GET /login: the sign-in form."""
    return _form(request, next_path=safe_next(request.query.get("next")))


def _throttled_message(attempt: Attempt) -> str:
    minutes = attempt.minutes
    return (
        "Too many failed sign-ins for this user or from this address. "
        f"Try again in {minutes} minute{'s' if minutes > 1 else ''}."
    )


async def _refused_throttled(
    request: web.Request, attempt: Attempt, typed: tuple[str, str]
) -> None:
    console = console_of(request)
    institution = typed[0] if console.auth.knows(typed[0], typed[1]) else None
    await console.store.record_audit(
        actor=f"{typed[0]}/{typed[1]}"[:200],
        institution_id=institution,
        action="SIGN_IN_THROTTLED",
        subject="sign-in",
        details={"retry_after_s": round(attempt.retry_after_s or 0), "address": request.remote},
    )
    log.warning("console_sign_in_throttled", institution_id=typed[0][:50])


async def login(request: web.Request) -> web.Response:
    """POST /login: check the credentials, start a session, go where the user was headed."""
    console = console_of(request)
    form = await request.post()
    if not console.forms.ok(request.cookies.get(LOGIN_COOKIE, ""), await csrf_token_sent(request)):
        return web.Response(status=403, text="missing or wrong CSRF token")
    typed = (str(form.get("institution", ""))[:100], str(form.get("username", ""))[:100])
    next_path = safe_next(form.get("next"))
    attempt = await console.throttle.begin(*typed, request.remote or "unknown")
    if attempt.throttled:
        await _refused_throttled(request, attempt, typed)
        message = _throttled_message(attempt)
        return _form(request, next_path=next_path, error=message, typed=typed, status=429)
    if not await console.auth.authenticate(*typed, str(form.get("password", ""))):
        log.info("console_sign_in_refused", institution_id=typed[0][:50])
        return _form(request, next_path=next_path, error=_WRONG, typed=typed, status=401)
    await console.throttle.succeeded(attempt)
    _, token = await console.sessions.create(*typed)
    response = web.HTTPSeeOther(next_path)
    set_cookie(request, response, COOKIE, token)
    response.del_cookie(LOGIN_COOKIE, path="/")
    log.info("console_signed_in", institution_id=typed[0], username=typed[1])
    raise response


async def logout(request: web.Request) -> web.Response:
    """POST /logout: end the session on the server, then forget the cookie."""
    session = session_of(request)
    await console_of(request).sessions.revoke(session)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    log.info("console_signed_out", institution_id=session.institution_id)
    raise response
