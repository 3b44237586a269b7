"""HTML of Provider health and Routing preferences."""

from __future__ import annotations

from collections.abc import Sequence

from service.console.health_view import ProviderHealth
from service.console.html import Markup, join, render
from service.console.routing_view import UtilityRouting

NONE = "n/a"
_HEALTH = """<p>Figures from the switch's latest metrics snapshots{window}.</p>
<table id="provider-health"><thead><tr><th>Provider ID</th><th>Provider</th><th>Weight</th>
<th>Enabled</th><th>Circuit</th><th>Requests/s</th><th>Success</th><th>Errors</th>
<th>Timeouts</th><th>p50 ms</th><th>p99 ms</th></tr></thead><tbody>{rows}</tbody></table>"""
_HEALTH_ROW = """<tr data-provider-id="{pid}"><td>{pid}</td><td>{name}</td><td>{weight}</td>
<td>{enabled}</td><td class="circuit">{circuit}</td><td class="rate">{rate}</td><td>{ok}</td>
<td>{errors}</td><td>{timeouts}</td><td>{p50}</td><td>{p99}</td></tr>"""
_ROUTING = """<table id="routing"><thead><tr><th>Utility</th><th>Ranked providers</th>
<th>Excluded</th><th>Meters</th></tr></thead><tbody>{rows}</tbody></table>"""
_ROUTING_ROW = """<tr><td>{utility}</td><td>{ranked}</td><td>{excluded}</td>
<td class="count">{meters}</td></tr>"""


def _pct(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return NONE if value is None else f"{value:g}"


def health_page(rows: Sequence[ProviderHealth]) -> Markup:
    """Per provider: weight, enabled, circuit, request rate, outcome rates, latency."""
    windows = {r.window_s for r in rows if r.window_s}
    window = f" over the last {max(windows) / 60:g} minutes" if windows else " (none received yet)"
    body = join(
        render(
            _HEALTH_ROW,
            pid=r.provider_id,
            name=r.name,
            weight=r.weight,
            enabled="yes" if r.enabled else "no",
            circuit=r.circuit or NONE,
            rate=_num(r.requests_per_s),
            ok=_pct(r.success_rate),
            errors=_pct(r.error_rate),
            timeouts=_pct(r.timeout_rate),
            p50=_num(r.latency_p50_ms),
            p99=_num(r.latency_p99_ms),
        )
        for r in rows
    )
    return render(_HEALTH, window=window, rows=body)


def routing_page(rows: Sequence[UtilityRouting]) -> Markup:
    """Ranking and exclusions per utility, with the institution's meter counts."""
    routing = join(
        render(
            _ROUTING_ROW,
            utility=r.utility_name,
            ranked=", ".join(f"{i}. {n} ({p})" for i, (p, n) in enumerate(r.ranked, 1)) or NONE,
            excluded=", ".join(f"{n} ({p})" for p, n in r.excluded) or NONE,
            meters=r.meters,
        )
        for r in rows
    )
    return render(_ROUTING, rows=routing)
