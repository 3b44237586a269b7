"""The HTML pages: Meter Management, Provider health, Audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from service.console.audit_view import audit_table
from service.console.context import actors_of, console_of, institution_of, session_of
from service.console.health_chart import error_chart, latency_chart, points
from service.console.health_page import health_page
from service.console.health_view import as_of, provider_health
from service.console.html import Markup, path_segment, render
from service.console.layout import page
from service.console.meter_pages import meter_page, search_page

_UNKNOWN = """<p class="message" role="status">No meter <strong>{number}</strong> among the meters
your institution has looked up or bought for.</p>"""


def _html(request: web.Request, title: str, body: Markup, *, status: int = 200) -> web.Response:
    session = session_of(request)
    text = page(title, body, session=session, csrf=session.csrf_token)
    return web.Response(text=text, content_type="text/html", status=status)


async def home(request: web.Request) -> web.Response:
    """GET /: Meter Management."""
    raise web.HTTPSeeOther("/meters")


async def meters(request: web.Request) -> web.Response:
    """GET /meters: the search box (suggestions come from the API as the user types)."""
    meters = console_of(request).meters
    typed = request.query.get("q", "").strip()
    found = await meters.suggest(typed, institution_of(request)) if typed else []
    hits = [(m.meter_number, meters.utility_name(m.utility_id)) for m in found]
    return _html(request, "Meter Management", search_page(typed, hits))


async def meter(request: web.Request) -> web.Response:
    """GET /meters/{meter_number}: the meter and one row per provider."""
    number = request.match_info["meter_number"]
    view = await console_of(request).meters.view(number, institution_of(request))
    if view is None:
        return _html(request, "Meter not found", render(_UNKNOWN, number=number), status=404)
    body = meter_page(view, csrf=session_of(request).csrf_token, now=datetime.now(UTC))
    return _html(request, f"Meter {view.meter_number}", body)


async def confirm_support(request: web.Request) -> web.Response:
    """POST /meters/{meter_number}/confirm-support: MARK, then back to the meter page."""
    number = request.match_info["meter_number"]
    view = await console_of(request).meters.confirm_support(
        number,
        institution_of(request),
        actor=session_of(request).actor,
        reason="Confirm support (console)",
    )
    if view is None:
        return _html(request, "Meter not found", render(_UNKNOWN, number=number), status=404)
    raise web.HTTPSeeOther(f"/meters/{path_segment(view.meter_number)}")


async def providers(request: web.Request) -> web.Response:
    """GET /providers: Provider health."""
    console = console_of(request)
    latest = console.feed.latest()
    rows = provider_health(console.config, institution_of(request), latest)
    return _html(request, "Provider health", health_page(rows, as_of(latest)))


async def provider_chart(request: web.Request) -> web.Response:
    """GET /providers/{provider_id}/{chart}.svg: latency or errors + timeouts, last hour."""
    console = console_of(request)
    provider_id = request.match_info["provider_id"]
    names = {p.id: p.name for p in console.config.providers}
    chart = request.match_info["chart"]
    if provider_id not in names or chart not in {"latency", "errors"}:
        raise web.HTTPNotFound(text="no such chart")
    series = points(console.feed.history(), provider_id, datetime.now(UTC))
    draw = latency_chart if chart == "latency" else error_chart
    return web.Response(text=draw(names[provider_id], series), content_type="image/svg+xml")


async def audit(request: web.Request) -> web.Response:
    """GET /audit: the institution's audit log, newest first."""
    institution = institution_of(request)
    entries = await console_of(request).store.audit(institution.id, actors_of(institution))
    return _html(request, "Audit log", audit_table(entries))
