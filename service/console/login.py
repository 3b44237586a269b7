"""Sign-in and sign-out. The sign-in form has its own CSRF token, bound to a nonce cookie."""

from __future__ import annotations

import secrets

import structlog
from aiohttp import web

from service.console.context import console_of, session_of
from service.console.layout import page
from service.console.other_pages import login_page
from service.console.security import csrf_token_sent
from service.console.sessions import COOKIE, LOGIN_COOKIE

log = structlog.get_logger(__name__)


def _safe_next(value: object) -> str:
    """Only a path on this console: never an absolute URL (open redirect)."""
    text = value if isinstance(value, str) else ""
    ok = text.startswith("/") and not text.startswith("//") and "\\" not in text
    return text if ok else "/meters"


def _set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int
) -> None:
    # HttpOnly keeps scripts away from it; Strict keeps other sites' requests from carrying it.
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Strict",
        secure=console_of(request).settings.secure_cookies,
        path="/",
    )


def _form(request: web.Request, *, next_path: str, failed: bool) -> web.Response:
    # Keep a nonce the browser already has: a parallel GET (a favicon redirected here) must
    # not invalidate the form already on screen.
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    csrf = console_of(request).sessions.csrf_token(f"login:{nonce}")
    body = page("Sign in", login_page(csrf=csrf, next_path=next_path, failed=failed))
    response = web.Response(text=body, content_type="text/html", status=401 if failed else 200)
    _set_cookie(request, response, LOGIN_COOKIE, nonce, 1800)
    return response


async def login_form(request: web.Request) -> web.Response:
    """GET /login: the sign-in form."""
    return _form(request, next_path=_safe_next(request.query.get("next")), failed=False)


async def login(request: web.Request) -> web.Response:
    """POST /login: check the credentials, start a session, go where the user was headed."""
    console = console_of(request)
    form = await request.post()
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    token = await csrf_token_sent(request)
    if not nonce or not console.sessions.csrf_ok(f"login:{nonce}", token):
        return web.Response(status=403, text="missing or wrong CSRF token")
    institution, username = str(form.get("institution", "")), str(form.get("username", ""))
    password = str(form.get("password", ""))
    if not await console.auth.authenticate(institution, username, password):
        log.info("console_sign_in_refused", institution_id=institution)
        return _form(request, next_path=_safe_next(form.get("next")), failed=True)
    _, cookie = console.sessions.issue(institution_id=institution, username=username)
    response = web.HTTPSeeOther(_safe_next(form.get("next")))
    _set_cookie(request, response, COOKIE, cookie, console.settings.session_ttl_s)
    response.del_cookie(LOGIN_COOKIE, path="/")
    log.info("console_signed_in", institution_id=institution, username=username)
    raise response


async def logout(request: web.Request) -> web.Response:
    """POST /logout: forget the session cookie."""
    session = session_of(request)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    log.info("console_signed_out", institution_id=session.institution_id)
    raise response
