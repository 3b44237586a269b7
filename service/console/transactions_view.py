"""What Transaction search shows: one line per transaction and its message trace (no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.console.transactions_store import Transaction

_OUTCOME_TOPICS = {
    "ppu.token.issued": "Token issued",
    "ppu.meter.blocked": "Meter blocked",
}


@dataclass(frozen=True, kw_only=True)
class Summary:
    """One line of the search results."""

    kind: str
    transaction_id: str
    meter_number: str
    requested_at: datetime
    amount: str
    state: str
    provider: str
    outcome: str


@dataclass(frozen=True, kw_only=True)
class TraceItem:
    """One step of the message trace: when, what, and its details (already masked)."""

    at: datetime | None
    step: str
    title: str
    details: dict[str, Any]


def _when(event: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event.get("occurred_at")).replace("Z", "+00:00"))
    except ValueError:
        return None


def money(amount: object) -> str:
    """Minor units as a sum with its currency (two decimals), or n/a."""
    if not isinstance(amount, dict) or not isinstance(amount.get("value"), int):
        return "n/a"
    value = amount["value"]
    return f"{amount.get('currency', '')} {value // 100:,}.{value % 100:02d}".strip()


def _outcome(outputs: list[dict[str, Any]]) -> tuple[str, str | None]:
    """The last outcome in words, and the provider it names."""
    for output in sorted(outputs, key=lambda o: str(o["event"].get("occurred_at")), reverse=True):
        event, topic = output["event"], output["topic"]
        if topic == "ppu.lookup.completed":
            return str(event.get("outcome")), event.get("routed_provider_id")
        if topic == "ppu.purchase.failed":
            error = event.get("error") or {}
            return f"{event.get('outcome')}: {error.get('type')}", event.get("provider_id")
        if topic in _OUTCOME_TOPICS:
            entity = event.get("settlement_entity") or {}
            return _OUTCOME_TOPICS[topic], entity.get("id")
    return "Pending", None


def summary(txn: Transaction) -> Summary:
    """The transaction's search line."""
    outcome, provider = _outcome(txn.outputs)
    return Summary(
        kind=txn.kind.capitalize(),
        transaction_id=txn.transaction_id,
        meter_number=txn.meter_number,
        requested_at=txn.requested_at,
        amount=money((txn.input or {}).get("amount")) if txn.kind == "PURCHASE" else "",
        state=txn.state or ("Completed" if txn.outputs else "Requested"),
        provider=txn.provider_id or provider or "n/a",
        outcome=outcome,
    )


def _calls(txn: Transaction) -> list[TraceItem]:
    items = []
    for a in txn.attempts:
        details = {
            "operation": a["operation"],
            "result": a["result"],
            "http_status": a["http_status"],
            "error_type": a["error_type"],
            # The ledger records when each call ended, not how long it took.
            "latency": "not recorded",
        }
        items.append(
            TraceItem(
                at=a["at"],
                step="call",
                title=f"{a['operation']} to {a['provider_id']}",
                details=details,
            )
        )
    for outcome in txn.outputs:
        if outcome["topic"] == "ppu.lookup.completed":
            for p in outcome["event"].get("providers") or []:
                title = f"Lookup answer from {p.get('provider_id')}"
                items.append(
                    TraceItem(at=_when(outcome["event"]), step="call", title=title, details=p)
                )
    return items


def _advices(txn: Transaction) -> list[TraceItem]:
    return [
        TraceItem(
            at=a["created_at"],
            step="advice",
            title=f"{str(a['kind']).capitalize()} advice to {a['provider_id']}",
            details={
                k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in a.items()
                if k not in {"kind", "provider_id"}
            },
        )
        for a in txn.advices
    ]


def trace(txn: Transaction) -> list[TraceItem]:
    """Input event, provider calls, advices and output events, in time order."""
    items = []
    if txn.input is not None:
        topic = "ppu.lookup.requested" if txn.kind == "LOOKUP" else "ppu.purchase.requested"
        items.append(TraceItem(at=txn.requested_at, step="input", title=topic, details=txn.input))
    items += _calls(txn) + _advices(txn)
    items += [
        TraceItem(at=_when(o["event"]), step="output", title=o["topic"], details=o["event"])
        for o in txn.outputs
    ]
    order = {"input": 0, "call": 1, "advice": 2, "output": 3}
    return sorted(items, key=lambda i: (i.at is None, i.at or txn.requested_at, order[i.step]))


def pretty(details: dict[str, Any]) -> str:
    """Details as indented JSON."""
    return json.dumps(details, indent=2, sort_keys=True, default=str, ensure_ascii=False)
