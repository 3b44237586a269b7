"""HTML of Provider health: the table (refreshed in place by console.js) and the charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from service.console.health_view import ProviderHealth
from service.console.html import Markup, join, path_segment, render
from service.console.layout import exact
from service.console.numbers import NONE, duration_ms, rate, share, window

REFRESH_S = 5
_PAGE = """<p id="as-of" role="status" data-refresh-s="{refresh}">{as_of}</p>
<p class="hint">Only errors and timeouts count against a provider's health. A decline (meter not
supported, a municipality's block) is the provider answering as it should.</p>
<table id="provider-health" class="stack"><thead><tr><th>Provider</th><th>Health</th>
<th>Circuit</th><th>Requests</th><th>Success</th><th>Decline</th><th>Error</th><th>Timeout</th>
<th>p50</th><th>p99</th><th>Weight</th><th>Enabled</th></tr></thead><tbody>{rows}</tbody></table>
{not_offered}<h2>Last hour</h2><div class="charts">{charts}</div>"""
_ROW = """<tr data-provider-id="{pid}"><td data-label="Provider">{name} ({pid})</td>
<td data-label="Health" class="health" data-field="health">{health}</td>
<td data-label="Circuit" class="circuit" data-field="circuit">{circuit}</td>
<td data-label="Requests" class="rate" data-field="requests">{requests}</td>
<td data-label="Success" data-field="success">{success}</td>
<td data-label="Decline" data-field="decline">{decline}</td>
<td data-label="Error" data-field="error">{error}</td>
<td data-label="Timeout" data-field="timeout">{timeout}</td>
<td data-label="p50" data-field="p50">{p50}</td><td data-label="p99" data-field="p99">{p99}</td>
<td data-label="Weight">{weight}</td><td data-label="Enabled">{enabled}</td></tr>"""
_NOT_OFFERED = """<p class="hint" id="not-offered">Optional operations a provider does not offer
(it answered 404 or 501; the switch no longer asks): {items}.</p>"""
_CHARTS = """<figure class="chart" data-provider-id="{pid}"><figcaption>{name} ({pid})</figcaption>
<img src="/providers/{href}/latency.svg" alt="{name}: p50 and p99 latency over the last hour"
 width="600" height="160">
<img src="/providers/{href}/errors.svg" alt="{name}: errors and timeouts over the last hour"
 width="600" height="160"></figure>"""


def display(row: ProviderHealth) -> dict[str, str]:
    """The row's figures as shown, by field (the refresh script writes these)."""
    requests = NONE if row.requests is None else f"{rate(row.requests_per_s)} ({row.requests:,})"
    return {
        "health": row.health,
        "circuit": row.circuit or NONE,
        "requests": requests,
        "success": share(row.success_rate),
        "decline": share(row.decline_rate),
        "error": share(row.error_rate),
        "timeout": share(row.timeout_rate),
        "p50": duration_ms(row.latency_p50_ms),
        "p99": duration_ms(row.latency_p99_ms),
    }


def as_of_text(at: datetime | None, rows: Sequence[ProviderHealth]) -> str:
    """When the figures were taken and what they cover."""
    if at is None:
        return "No figures from the switch yet; this page looks again every few seconds."
    spans = [r.window_s for r in rows if r.window_s]
    span = f" over the last {window(max(spans))}" if spans else ""
    return f"Figures as of {exact(at)}{span}; refreshed every {REFRESH_S} seconds."


def health_json(rows: Sequence[ProviderHealth], at: datetime | None) -> dict[str, Any]:
    """The API's representation: raw figures, and what the page shows."""
    return {
        "as_of": at.isoformat() if at else None,
        "as_of_text": as_of_text(at, rows),
        "providers": [r.as_json() | {"display": display(r)} for r in rows],
    }


def health_page(rows: Sequence[ProviderHealth], at: datetime | None) -> Markup:
    """Per provider: health, circuit, request rate, answers by class, latency; then charts."""
    body = join(
        render(
            _ROW,
            pid=r.provider_id,
            name=r.name,
            weight=r.weight,
            enabled="yes" if r.enabled else "no",
            **display(r),
        )
        for r in rows
    )
    charts = join(
        render(_CHARTS, pid=r.provider_id, name=r.name, href=path_segment(r.provider_id))
        for r in rows
    )
    lacking = "; ".join(f"{r.name}: {', '.join(r.not_offered)}" for r in rows if r.not_offered)
    return render(
        _PAGE,
        refresh=REFRESH_S,
        as_of=as_of_text(at, rows),
        rows=body,
        not_offered=render(_NOT_OFFERED, items=lacking) if lacking else "",
        charts=charts,
    )
