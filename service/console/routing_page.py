"""HTML of Routing preferences: per utility a form to rank, unrank and exclude the
institution's providers; the meter-level preferences with add and remove."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from service.console.html import Markup, join, path_segment, render
from service.console.routing_view import UtilityRouting

_PAGE = """{notice}<p>Routing tries a meter's own preference first, then the ranked providers
(rank 1 first), then the unranked ones by load balancing; an excluded provider is never used.
Changes apply to the next purchase.</p>
<table id="routing" class="stack"><thead><tr><th>Utility</th><th>Ranked providers</th>
<th>Excluded</th><th>Meters</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Edit per utility</h2>{forms}
<h2>Meter-level preferences</h2>
<table id="meter-preferences" class="stack"><thead><tr><th>Meter</th><th>Provider</th><th></th>
</tr></thead><tbody>{meters}</tbody></table>
<form method="post" action="/routing/meters" id="add-meter-preference">
<input type="hidden" name="csrf_token" value="{csrf}">
<label>Meter number <input name="meter_number" required></label>
<label>Provider <select name="provider_id">{options}</select></label>
<button type="submit">Add meter preference</button></form>"""
_ROW = """<tr><td data-label="Utility">{utility}</td><td data-label="Ranked">{ranked}</td>
<td data-label="Excluded">{excluded}</td><td class="count" data-label="Meters">{meters}</td></tr>"""
_FORM = """<form method="post" action="/routing/utilities/{href}" class="utility-routing"
 data-utility-id="{uid}"><input type="hidden" name="csrf_token" value="{csrf}">
<fieldset><legend>{utility}</legend>{choices}
<button type="submit">Save {utility}</button></fieldset></form>"""
_CHOICE = """<p class="choice"><span>{name} ({pid})</span>
<label>Rank <select name="rank_{pid}">{ranks}</select></label>
<label><input type="checkbox" name="exclude" value="{pid}"{checked}> Excluded</label></p>"""
_RANK = '<option value="{value}"{selected}>{label}</option>'
_METER = """<tr data-meter="{meter}"><td data-label="Meter">{meter}</td>
<td data-label="Provider">{name} ({pid})</td><td>
<form method="post" action="/routing/meters/{href}/remove" class="inline">
<input type="hidden" name="csrf_token" value="{csrf}">
<button type="submit">Remove {meter}</button></form></td></tr>"""
NONE = "n/a"


def _ranks(position: int | None, count: int) -> Markup:
    values = [("", "not ranked")] + [(str(i), str(i)) for i in range(1, count + 1)]
    return join(
        render(
            _RANK,
            value=v,
            label=label,
            selected=Markup(" selected") if v == str(position or "") else "",
        )
        for v, label in values
    )


def _form(row: UtilityRouting, providers: Sequence[tuple[str, str]], csrf: str) -> Markup:
    ranked = [p for p, _ in row.ranked]
    excluded = {p for p, _ in row.excluded}
    choices = join(
        render(
            _CHOICE,
            pid=pid,
            name=name,
            ranks=_ranks(ranked.index(pid) + 1 if pid in ranked else None, len(providers)),
            checked=Markup(" checked") if pid in excluded else "",
        )
        for pid, name in providers
    )
    uid = row.utility_id or ""
    return render(
        _FORM, href=path_segment(uid), uid=uid, csrf=csrf, utility=row.utility_name, choices=choices
    )


def routing_page(
    rows: Sequence[UtilityRouting],
    *,
    providers: Sequence[tuple[str, str]],
    meters: Mapping[str, str],
    csrf: str,
    notice: Markup | str = "",
) -> Markup:
    """The summary table, a form per utility, the meter preferences."""
    names = dict(providers)
    summary = join(
        render(
            _ROW,
            utility=r.utility_name,
            ranked=", ".join(f"{i}. {n} ({p})" for i, (p, n) in enumerate(r.ranked, 1)) or NONE,
            excluded=", ".join(f"{n} ({p})" for p, n in r.excluded) or NONE,
            meters=r.meters,
        )
        for r in rows
    )
    forms = join(_form(r, providers, csrf) for r in rows if r.utility_id)
    meter_rows = join(
        render(_METER, meter=m, href=path_segment(m), pid=p, name=names.get(p, p), csrf=csrf)
        for m, p in sorted(meters.items())
    )
    options = join(render(_RANK, value=p, label=f"{n} ({p})", selected="") for p, n in providers)
    return render(
        _PAGE,
        notice=notice,
        rows=summary,
        forms=forms,
        meters=meter_rows,
        csrf=csrf,
        options=options,
    )
