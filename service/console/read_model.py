"""What one switch event adds to the console's read model (pure: rows to write, no I/O).

Inputs open a transaction row; outputs are appended to it and record that the institution
has seen the meter; CLEARED flags are kept for the audit log. Token numbers are masked here,
before anything is stored, so the console never holds a whole token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.domain.meter_number import InvalidMeterNumberError, normalise_meter_number
from service.topics import Topic

TRANSACTION = "transaction"
SIGHTING = "sighting"
CLEARED = "cleared"
_KINDS = {
    Topic.LOOKUP_REQUESTED: ("LOOKUP", "lookup_id"),
    Topic.LOOKUP_COMPLETED: ("LOOKUP", "lookup_id"),
    Topic.PURCHASE_REQUESTED: ("PURCHASE", "purchase_id"),
    Topic.TOKEN_ISSUED: ("PURCHASE", "purchase_id"),
    Topic.PURCHASE_FAILED: ("PURCHASE", "purchase_id"),
    Topic.METER_BLOCKED: ("PURCHASE", "purchase_id"),
}
_INPUTS = frozenset({Topic.LOOKUP_REQUESTED, Topic.PURCHASE_REQUESTED})
_SEEN = frozenset({Topic.LOOKUP_COMPLETED, Topic.TOKEN_ISSUED, Topic.PURCHASE_FAILED})
FED_TOPICS = (*_KINDS, Topic.REBROADCAST_FLAGS)
_VISIBLE_DIGITS = 4


@dataclass(frozen=True, kw_only=True)
class Writes:
    """Rows one event adds, by table."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """One more row for `table`."""
        self.rows.setdefault(table, []).append(row)


def mask_token(token: str) -> str:
    """All but the last four characters replaced, so a receipt can be matched, never reused."""
    keep = token[-_VISIBLE_DIGITS:]
    return "•" * max(0, len(token) - len(keep)) + keep


def masked(value: Any) -> Any:
    """The event with every string under a key named `token` masked."""
    if isinstance(value, dict):
        return {
            k: mask_token(v) if k == "token" and isinstance(v, str) else masked(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _meter(raw: object) -> str | None:
    try:
        return normalise_meter_number(str(raw)) if raw is not None else None
    except InvalidMeterNumberError:
        return None


def _at(event: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event["occurred_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None


def apply(topic: Topic, event: dict[str, Any], writes: Writes) -> None:
    """Add the rows `event` (read from `topic`) contributes; unreadable events add nothing."""
    at = _at(event)
    meter = _meter(event.get("meter_number"))
    if at is None or meter is None:
        return
    if topic is Topic.REBROADCAST_FLAGS:
        if event.get("action") == "CLEARED" and event.get("event_id"):
            writes.add(CLEARED, (str(event["event_id"]), meter, at, event.get("reason")))
        return
    kind, id_field = _KINDS[topic]
    institution, txn_id = event.get("institution_id"), event.get(id_field)
    if not isinstance(institution, str) or txn_id is None:
        return
    body = json.dumps(masked(event), sort_keys=True)
    is_input = topic in _INPUTS
    outputs = "[]" if is_input else json.dumps([{"topic": topic.value, "event": json.loads(body)}])
    writes.add(
        TRANSACTION,
        (institution, kind, str(txn_id), meter, at, body if is_input else None, outputs),
    )
    if topic in _SEEN:
        writes.add(SIGHTING, (institution, meter, at))
