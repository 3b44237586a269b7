"""The JSON API behind the pages (described in openapi.yaml)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from service.console.audit_view import audit_json
from service.console.context import actors_of, console_of, institution_of, session_of
from service.console.health_page import health_json
from service.console.health_view import as_of, provider_health
from service.console.limits import json_body

OPENAPI = Path(__file__).with_name("openapi.yaml")
OPENAPI_TEXT = web.AppKey("openapi_text", str)
_NOT_FOUND = {"error": "the switch has not seen this meter"}


async def session(request: web.Request) -> web.Response:
    """GET /api/session: who is signed in, and the CSRF token for changes."""
    current = session_of(request)
    return web.json_response(
        {
            "institution_id": current.institution_id,
            "username": current.username,
            "csrf_token": current.csrf_token,
            "expires_at": current.expires_at.isoformat(),
        }
    )


async def search(request: web.Request) -> web.Response:
    """GET /api/meters?prefix=: meters whose normalised number starts with the prefix."""
    meters = console_of(request).meters
    hits = await meters.suggest(request.query.get("prefix", ""), institution_of(request))
    return web.json_response(
        {
            "meters": [
                {
                    "meter_number": m.meter_number,
                    "utility_id": m.utility_id,
                    "utility": meters.utility_name(m.utility_id),
                }
                for m in hits
            ]
        }
    )


async def meter(request: web.Request) -> web.Response:
    """GET /api/meters/{meter_number}: the meter as the institution sees it."""
    number = request.match_info["meter_number"]
    view = await console_of(request).meters.view(number, institution_of(request))
    if view is None:
        return web.json_response(_NOT_FOUND, status=404)
    return web.json_response(view.as_json())


async def _reason(request: web.Request) -> str | None:
    body = await json_body(request)
    reason = body.get("reason") if isinstance(body, dict) else None
    return reason[:500] if isinstance(reason, str) else None


async def rebroadcast(request: web.Request) -> web.Response:
    """POST /api/meters/{meter_number}/rebroadcast: Confirm support, as the signed-in user."""
    reason = await _reason(request)
    view = await console_of(request).meters.confirm_support(
        request.match_info["meter_number"],
        institution_of(request),
        actor=session_of(request).actor,  # never from the body: one acts only in one's own name
        reason=reason,
    )
    if view is None:
        return web.json_response(_NOT_FOUND, status=404)
    return web.json_response(view.as_json(), status=202)


async def providers(request: web.Request) -> web.Response:
    """GET /api/providers: Provider health."""
    console = console_of(request)
    latest = console.feed.latest()
    rows = provider_health(console.config, institution_of(request), latest)
    return web.json_response(health_json(rows, as_of(latest)))


async def audit(request: web.Request) -> web.Response:
    """GET /api/audit: the institution's audit log, newest first."""
    institution = institution_of(request)
    entries = await console_of(request).store.audit(institution.id, actors_of(institution))
    return web.json_response({"entries": [audit_json(e) for e in entries]})


async def openapi(request: web.Request) -> web.Response:
    """GET /api/openapi.yaml: this API's description."""
    return web.Response(text=request.app[OPENAPI_TEXT], content_type="application/yaml")
