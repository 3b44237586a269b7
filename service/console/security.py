"""Middlewares: sign-in required everywhere but the sign-in form, CSRF on every change,
and headers that keep pages out of frames, caches and inline scripts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from service.console.context import SESSION, console_of
from service.console.sessions import COOKIE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_PUBLIC = ("/login", "/static/")
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _is_public(path: str) -> bool:
    return path == _PUBLIC[0] or path.startswith(_PUBLIC[1])


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith("/api/"):
        return web.json_response({"error": message}, status=status)
    return web.Response(status=status, text=message)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add the security headers to every answer, errors included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(_HEADERS)
        raise
    response.headers.update(_HEADERS)
    return response


async def csrf_token_sent(request: web.Request) -> str | None:
    """The token of a state-changing request: the header (API) or the form field (pages)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.post()  # empty without reading the body unless it is a form
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


@web.middleware
async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse anonymous requests (401 for the API, to the sign-in page otherwise) and CSRF."""
    if _is_public(request.path):
        return await handler(request)
    console = console_of(request)
    session = console.sessions.read(request.cookies.get(COOKIE))
    if session is None or not console.auth.knows(session.institution_id, session.username):
        if request.path.startswith("/api/"):
            return _refuse(request, 401, "sign in first")
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    if request.method not in SAFE_METHODS:
        token = await csrf_token_sent(request)
        if not console.sessions.csrf_ok(session.session_id, token):
            return _refuse(request, 403, "missing or wrong CSRF token")
    request[SESSION] = session
    return await handler(request)
