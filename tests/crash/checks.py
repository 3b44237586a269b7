"""What the crash test counts: missing outcomes, conflicting outcomes, double vends."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The three figures of the closing line, and examples for the log."""

    outcomes_missing: int
    conflicting_outcomes: int
    double_vends: int
    examples: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """The one line the crash test ends with."""
        return (
            f"crash-test: outcomes_missing={self.outcomes_missing} "
            f"conflicting_outcomes={self.conflicting_outcomes} double_vends={self.double_vends}"
        )


def judge(
    *,
    lookups: Iterable[str],
    purchases: Iterable[str],
    outputs: Iterable[tuple[str, bytes]],
    vends: Mapping[str, int],
) -> Verdict:
    """Every input answered; every event id one payload; no purchase two outcomes or two vends.

    `outputs` are (topic, value) pairs as read back; `vends` counts each purchase id's vends
    summed over every simulated provider's ledger.
    """
    payloads: dict[str, set[bytes]] = defaultdict(set)
    completed: set[str] = set()
    decided: dict[str, set[str]] = defaultdict(set)
    for topic, value in outputs:
        event = json.loads(value)
        payloads[event["event_id"]].add(value)
        if topic.endswith("ppu.lookup.completed"):
            completed.add(event["lookup_id"])
        elif topic.endswith("ppu.token.issued"):
            decided[event["purchase_id"]].add("ISSUED")
        elif topic.endswith("ppu.purchase.failed"):
            decided[event["purchase_id"]].add(f"FAILED:{event['outcome']}")
    missing = [f"lookup {i}" for i in set(lookups) - completed]
    missing += [f"purchase {p}" for p in set(purchases) - set(decided)]
    conflicts = [f"event {e}" for e, seen in payloads.items() if len(seen) > 1]
    conflicts += [f"purchase {p}: {sorted(o)}" for p, o in decided.items() if len(o) > 1]
    doubles = [f"purchase {p} vended {n}x" for p, n in vends.items() if n > 1]
    return Verdict(
        outcomes_missing=len(missing),
        conflicting_outcomes=len(conflicts),
        double_vends=len(doubles),
        examples=tuple((missing + conflicts + doubles)[:10]),
    )
