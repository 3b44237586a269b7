"""Routing preferences: the page with its forms, and the JSON API that edits the same."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from service.console.context import console_of, institution_of, session_of
from service.console.html import Markup, render
from service.console.layout import page
from service.console.limits import bad_request, json_body
from service.console.routing_edit import Edit, RoutingRefused
from service.console.routing_page import routing_page
from service.console.routing_view import routing_view

_SAVED = '<p class="message" role="status" id="routing-notice">{m}</p>'
_REFUSED = '<p class="error" role="alert" id="routing-notice">Not saved: {m}.</p>'


def _edit(request: web.Request) -> Edit:
    return Edit(institution=institution_of(request), actor=session_of(request).actor)


async def _page(request: web.Request, notice: Markup | str = "", status: int = 200) -> web.Response:
    console, session = console_of(request), session_of(request)
    institution = institution_of(request)
    stored = await console.routing.current(institution)
    counts = await console.store.meter_counts(institution.id)
    directory = console.meters.directory
    providers = [(p, directory.provider_name(p)) for p in directory.enabled_providers(institution)]
    body = routing_page(
        routing_view(console.config, stored, counts),
        providers=providers,
        meters=stored.meters,
        csrf=session.csrf_token,
        notice=notice,
    )
    text = page("Routing preferences", body, session=session, csrf=session.csrf_token)
    return web.Response(text=text, content_type="text/html", status=status)


async def routing_form(request: web.Request) -> web.Response:
    """GET /routing: the institution's preferences, editable."""
    saved = request.query.get("saved")
    return await _page(request, render(_SAVED, m=f"Saved: {saved}.") if saved else "")


def _ranked(form: MultiDictProxy[Any]) -> list[str]:
    ranks: dict[int, str] = {}
    for key, value in form.items():
        if not key.startswith("rank_") or not value:
            continue
        if not str(value).isdigit():
            raise RoutingRefused(f"rank {value} is not a number")
        if int(value) in ranks:
            raise RoutingRefused(f"two providers have rank {value}")
        ranks[int(value)] = key.removeprefix("rank_")
    return [ranks[r] for r in sorted(ranks)]


async def save_utility_form(request: web.Request) -> web.Response:
    """POST /routing/utilities/{utility_id}: rank, unrank, exclude."""
    form = await request.post()
    utility_id = request.match_info["utility_id"]
    try:
        excluded = [str(v) for v in form.getall("exclude", [])]
        await console_of(request).routing.set_utility(
            _edit(request), utility_id, _ranked(form), excluded
        )
    except RoutingRefused as exc:
        return await _page(request, render(_REFUSED, m=str(exc)), status=400)
    raise web.HTTPSeeOther(f"/routing?saved={utility_id}")


async def add_meter_form(request: web.Request) -> web.Response:
    """POST /routing/meters: add or change a meter-level preference."""
    form = await request.post()
    try:
        meter = await console_of(request).routing.set_meter(
            _edit(request), str(form.get("meter_number", "")), str(form.get("provider_id", ""))
        )
    except RoutingRefused as exc:
        return await _page(request, render(_REFUSED, m=str(exc)), status=400)
    raise web.HTTPSeeOther(f"/routing?saved=meter {meter}")


async def remove_meter_form(request: web.Request) -> web.Response:
    """POST /routing/meters/{meter_number}/remove: drop a meter-level preference."""
    try:
        meter = await console_of(request).routing.set_meter(
            _edit(request), request.match_info["meter_number"], None
        )
    except RoutingRefused as exc:
        return await _page(request, render(_REFUSED, m=str(exc)), status=400)
    raise web.HTTPSeeOther(f"/routing?saved=meter {meter} removed")


async def routing_api(request: web.Request) -> web.Response:
    """GET /api/routing: per utility ranking, exclusions and meter count; meter preferences."""
    console, institution = console_of(request), institution_of(request)
    stored = await console.routing.current(institution)
    counts = await console.store.meter_counts(institution.id)
    rows = routing_view(console.config, stored, counts)
    meters = [{"meter_number": m, "provider_id": p} for m, p in sorted(stored.meters.items())]
    return web.json_response(
        {"utilities": [r.as_json() for r in rows], "meter_preferences": meters}
    )


def _strings(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{key} must be a list of provider ids")
    return value


async def put_utility(request: web.Request) -> web.Response:
    """PUT /api/routing/utilities/{utility_id}: {"ranked": [...], "excluded": [...]}."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    try:
        await console_of(request).routing.set_utility(
            _edit(request),
            request.match_info["utility_id"],
            _strings(body, "ranked"),
            _strings(body, "excluded"),
        )
    except RoutingRefused as exc:
        raise bad_request(str(exc)) from exc
    return await routing_api(request)


async def put_meter(request: web.Request) -> web.Response:
    """PUT /api/routing/meters/{meter_number}: {"provider_id": "..."}."""
    body = await json_body(request)
    provider = body.get("provider_id") if isinstance(body, dict) else None
    if not isinstance(provider, str):
        raise bad_request("provider_id must be a provider id")
    return await _meter(request, provider)


async def delete_meter(request: web.Request) -> web.Response:
    """DELETE /api/routing/meters/{meter_number}: drop the meter-level preference."""
    return await _meter(request, None)


async def _meter(request: web.Request, provider: str | None) -> web.Response:
    try:
        await console_of(request).routing.set_meter(
            _edit(request), request.match_info["meter_number"], provider
        )
    except RoutingRefused as exc:
        raise bad_request(str(exc)) from exc
    return await routing_api(request)
