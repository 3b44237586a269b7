"""The crash test's judge finds each kind of failure it claims to count."""

from __future__ import annotations

import json

from tests.crash.checks import judge


def _out(topic: str, **event: object) -> tuple[str, bytes]:
    return (f"p.{topic}", json.dumps(event, sort_keys=True).encode())


def test_a_clean_run_counts_nothing() -> None:
    """Every input answered once, one vend each: all three figures are zero."""
    verdict = judge(
        lookups={"L1"},
        purchases={"P1"},
        outputs=[
            _out("ppu.lookup.completed", event_id="e1", lookup_id="L1"),
            _out("ppu.token.issued", event_id="e2", purchase_id="P1"),
        ],
        vends={"P1": 1},
    )
    assert verdict.line == "crash-test: outcomes_missing=0 conflicting_outcomes=0 double_vends=0"


def test_missing_conflicting_and_double_vended_are_each_counted() -> None:
    """A lookup unanswered, one event id with two payloads, a purchase both issued and failed,
    and a purchase vended twice."""
    verdict = judge(
        lookups={"L1", "L2"},
        purchases={"P1", "P2"},
        outputs=[
            _out("ppu.lookup.completed", event_id="e1", lookup_id="L1"),
            _out("ppu.token.issued", event_id="e2", purchase_id="P1"),
            _out("ppu.token.issued", event_id="e2", purchase_id="P1", extra=1),
            _out("ppu.purchase.failed", event_id="e3", purchase_id="P1", outcome="UNKNOWN"),
            _out("ppu.purchase.failed", event_id="e4", purchase_id="P2", outcome="DECLINED"),
        ],
        vends={"P1": 1, "P2": 2},
    )
    assert (verdict.outcomes_missing, verdict.conflicting_outcomes, verdict.double_vends) == (
        1,
        2,
        1,
    )
    assert any("L2" in e for e in verdict.examples)
