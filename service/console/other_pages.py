"""HTML of Routing preferences."""

from __future__ import annotations

from collections.abc import Sequence

from service.console.html import Markup, join, render
from service.console.routing_view import UtilityRouting

NONE = "n/a"
_ROUTING = """<table id="routing" class="stack"><thead><tr><th>Utility</th><th>Ranked providers</th>
<th>Excluded</th><th>Meters</th></tr></thead><tbody>{rows}</tbody></table>"""
_ROUTING_ROW = """<tr><td data-label="Utility">{utility}</td>
<td data-label="Ranked">{ranked}</td><td data-label="Excluded">{excluded}</td>
<td class="count" data-label="Meters">{meters}</td></tr>"""


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
