"""HTML of Meter Management: the search page and the meter page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from service.console.html import Markup, join, path_segment, render
from service.console.layout import exact, time_since
from service.console.meter_view import STATUS_LABELS, MeterView, ProviderRow

_SEARCH = """<form method="get" action="/meters" role="search">
<label for="meter-search">Meter number</label>
<input id="meter-search" name="q" value="{q}" autocomplete="off" inputmode="search"
 aria-controls="suggestions" placeholder="Type part of a meter number">
<button type="submit">Search</button></form>
<ul id="suggestions" role="listbox" aria-live="polite">{items}</ul>"""
_NOTHING = """<li class="empty" role="status">No meter number starts with <strong>{q}</strong>
among the meters your institution has looked up or bought for.</li>"""
_ITEM = '<li role="option"><a href="/meters/{href}">{number}</a> <span>{utility}</span></li>'
_METER = """<dl class="meter">
<dt>Meter number</dt><dd id="meter-number">{number}</dd>
<dt>Utility</dt><dd id="utility">{utility}</dd>
<dt>Routing</dt><dd id="routing-blocked">{routing}</dd>
{credit}</dl>
{flag}
<table id="providers" class="stack"><thead><tr><th>Provider ID</th><th>Provider</th>
<th>Last response</th><th>Support status</th></tr></thead><tbody>{rows}</tbody></table>
{confirm}"""
_ROW = """<tr data-provider-id="{pid}"><td class="provider-id" data-label="Provider ID">{pid}</td>
<td class="provider-name" data-label="Provider">{name}</td>
<td class="last-response" title="{title}" data-label="Last response">{since}</td>
<td class="support-status" data-label="Support status">{status}</td></tr>"""
_CREDIT = """<dt>Municipality block</dt><dd id="credit-block">METER_ID_BLOCKED reported by
provider {provider} on the last purchase ({at}). A rebroadcast cannot clear it.</dd>"""
_FLAG = """<p id="flag-message" class="message" role="status">This meter is marked for rebroadcast
(support re-check), requested by {by} at {at}. Its next purchase sends a meter lookup to all
providers and updates their support status then; no further action is needed.</p>"""
_CONFIRM = """<form method="post" action="/meters/{href}/confirm-support">
<input type="hidden" name="csrf_token" value="{csrf}">
<p>If the meter is blocked or no provider you enabled supports it, and the providers are
healthy (see <a href="/providers">Provider health</a>), ask for a support re-check.</p>
<button id="confirm-support" type="submit">Confirm support</button></form>"""


def search_page(typed: str, hits: Sequence[tuple[str, str | None]]) -> Markup:
    """The search box, with server-side results when a number was submitted."""
    items = join(
        render(_ITEM, href=path_segment(n), number=n, utility=u or "Unassigned") for n, u in hits
    )
    if typed and not hits:
        items = render(_NOTHING, q=typed)
    return render(_SEARCH, q=typed, items=items)


def _row(row: ProviderRow, now: datetime) -> Markup:
    last = row.last_response_at
    if row.awaiting_confirmation:
        since = "Awaiting confirmation"
    else:
        since = time_since(last, now) if last else "Awaiting confirmation"
    title = f"Last response {exact(last)}" if last else "No response yet"
    return render(
        _ROW,
        pid=row.provider_id,
        name=row.provider_name,
        title=title,
        since=since,
        status=STATUS_LABELS[row.status],
    )


def meter_page(view: MeterView, *, csrf: str, now: datetime) -> Markup:
    """The meter, its utility, its blocks, the flag message and one row per provider."""
    credit = (
        render(_CREDIT, provider=view.credit_block.provider_id, at=exact(view.credit_block.seen_at))
        if view.credit_block
        else Markup("")
    )
    flag = view.flag
    return render(
        _METER,
        number=view.meter_number,
        utility=view.utility_name or "Unassigned",
        routing=(
            "Blocked for routing: no provider you enabled is known to support it"
            if view.routing_blocked
            else "Not blocked for routing"
        ),
        credit=credit,
        flag=render(_FLAG, by=flag.requested_by, at=exact(flag.requested_at)) if flag else "",
        rows=join(_row(r, now) for r in view.rows),
        confirm=("" if flag else render(_CONFIRM, href=path_segment(view.meter_number), csrf=csrf)),
    )
