"""The audit log as people read it: who, what, when, which meter, why; a MARK shows the
CLEARED that followed it (no I/O here)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.console.html import Markup, join, path_segment, render
from service.console.layout import exact
from service.console.store import AuditEntry

_WHAT = {
    "REBROADCAST_MARK": "Confirm support (MARK)",
    "SIGN_IN_THROTTLED": "Sign-in throttled",
    "PASSWORD_CHANGED": "Password changed",
    "SIGNED_OUT_EVERYWHERE": "Signed out everywhere",
    "ROUTING_EDITED": "Routing preferences edited",
}
_TABLE = """<table id="audit" class="stack"><thead><tr><th>When</th><th>Who</th><th>What</th>
<th>Meter</th><th>Reason or change</th></tr></thead><tbody>{rows}</tbody></table>{empty}"""
_ROW = """<tr data-action="{action}"><td data-label="When">{at}</td><td data-label="Who">{who}</td>
<td data-label="What">{what}</td><td data-label="Meter">{meter_link}</td>
<td data-label="Reason">{reason}{followed}</td></tr>"""
_METER = '<a href="/meters/{href}">{meter}</a>'
_CLEARED = '<br><span class="cleared">CLEARED {at}: {reason}</span>'
_WAITING = (
    '<br><span class="pending">Not cleared yet: waits for the meter&#39;s next lookup or'
    " purchase</span>"
)


@dataclass(frozen=True, kw_only=True)
class AuditLine:
    """One entry in words."""

    entry: AuditEntry
    what: str
    meter: str | None
    reason: str


def _details(entry: AuditEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.details)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _reason(action: str, details: dict[str, Any]) -> str:
    if action == "SIGN_IN_THROTTLED":
        minutes = round(float(details.get("retry_after_s", 0)) / 60)
        return f"too many failed sign-ins; retry after {minutes} min"
    if action in {"PASSWORD_CHANGED", "SIGNED_OUT_EVERYWHERE"}:
        return f"{details.get('sessions_ended', 0)} session(s) ended"
    if action == "ROUTING_EDITED":
        return str(details.get("summary") or "")
    return str(details.get("reason") or "")


def _meter(entry: AuditEntry) -> str | None:
    if entry.action == "REBROADCAST_MARK":
        return entry.subject
    meter = _details(entry).get("meter_number")
    return str(meter) if meter else None


def audit_line(entry: AuditEntry) -> AuditLine:
    """The entry's action in words, its meter (for marks) and its reason or change."""
    return AuditLine(
        entry=entry,
        what=_WHAT.get(entry.action, entry.action.replace("_", " ").capitalize()),
        meter=_meter(entry),
        reason=_reason(entry.action, _details(entry)),
    )


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    """The API's representation."""
    line = audit_line(entry)
    return {
        "occurred_at": entry.occurred_at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "what": line.what,
        "subject": entry.subject,
        "meter_number": line.meter,
        "reason": line.reason,
        "details": _details(entry),
        "cleared_at": entry.cleared_at.isoformat() if entry.cleared_at else None,
    }


def _followed(entry: AuditEntry) -> Markup | str:
    if entry.action != "REBROADCAST_MARK":
        return ""
    if entry.cleared_at is None:
        return Markup(_WAITING)
    reason = entry.cleared_reason or "rebroadcast completed"
    return render(_CLEARED, at=exact(entry.cleared_at), reason=reason)


def audit_table(entries: Sequence[AuditEntry]) -> Markup:
    """The log, newest first; a message when it is empty."""
    rows = join(
        render(
            _ROW,
            action=e.action,
            at=exact(e.occurred_at),
            who=e.actor,
            what=(line := audit_line(e)).what,
            meter_link=render(_METER, href=path_segment(line.meter), meter=line.meter)
            if line.meter
            else "",
            reason=line.reason,
            followed=_followed(e),
        )
        for e in entries
    )
    empty = "" if entries else Markup('<p class="message">Nothing recorded yet.</p>')
    return render(_TABLE, rows=rows, empty=empty)
