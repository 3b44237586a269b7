"""Middlewares: security headers on every answer (errors included, a crash becomes a plain
500), sign-in required everywhere but the sign-in form, and CSRF on every change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

import structlog
from aiohttp import web

from service.console.context import SESSION, console_of
from service.console.sessions import COOKIE

log = structlog.get_logger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SERVER = "ppu-console"
CLIENT_ERROR = 400
_PUBLIC = ("/login", "/static/")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _is_public(path: str) -> bool:
    return path == _PUBLIC[0] or path.startswith(_PUBLIC[1])


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def refuse(request: web.Request, status: int, message: str) -> web.Response:
    """An error answer: JSON for the API, plain text for pages."""
    if _is_api(request):
        return web.json_response({"error": message}, status=status)
    return web.Response(status=status, text=message)


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        limit = console_of(request).settings.max_body_bytes
        return refuse(request, 400, f"the request body is larger than {limit} bytes")
    except web.HTTPException as exc:
        if (
            exc.status >= CLIENT_ERROR
            and _is_api(request)
            and exc.content_type != "application/json"
        ):
            return refuse(request, exc.status, exc.reason)
        exc.headers.update(HEADERS)
        raise
    except Exception:  # a bug must still answer with the headers and without a stack trace
        log.exception("console_request_failed", path=request.path, method=request.method)
        return refuse(request, 500, "something went wrong; it has been logged")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add the security headers to every answer, errors and crashes included."""
    response = await _guarded(request, handler)
    response.headers.update(HEADERS)
    return response


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Name the server without its version, on every answer aiohttp sends."""
    response.headers["Server"] = SERVER


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
    session = await console.sessions.read(request.cookies.get(COOKIE))
    if session is None or not console.auth.knows(session.institution_id, session.username):
        if _is_api(request):
            return refuse(request, 401, "sign in first")
        target = request.path_qs if request.method in SAFE_METHODS else "/meters"
        raise web.HTTPSeeOther(f"/login?next={quote(target, safe='')}")
    if request.method not in SAFE_METHODS:
        token = await csrf_token_sent(request)
        if not session.csrf_ok(token):
            return refuse(request, 403, "missing or wrong CSRF token")
    request[SESSION] = session
    return await handler(request)
