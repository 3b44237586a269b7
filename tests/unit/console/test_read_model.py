"""The console's read model: what each switch event adds, and tokens masked before storing."""

from __future__ import annotations

import json

from service.console.read_model import CLEARED, SIGHTING, TRANSACTION, Writes, apply, mask_token
from service.topics import Topic

AT = "2026-11-30T08:00:00Z"


def test_a_token_keeps_only_its_last_four_characters() -> None:
    """A 20-digit token shows 16 dots and its last four digits; short ones stay short."""
    assert mask_token("56191737085370612468") == "•" * 16 + "2468"
    assert mask_token("123") == "123"


def test_an_issued_token_is_stored_masked_and_marks_the_meter_seen() -> None:
    """token.issued appends a masked output to the purchase and a sighting for the institution."""
    writes = Writes()
    event = {
        "occurred_at": AT,
        "purchase_id": "p-1",
        "institution_id": "INST",
        "meter_number": "0412 000-01",
        "tokens": [{"token": "56191737085370612468"}, {"token": None}],
    }
    apply(Topic.TOKEN_ISSUED, event, writes)
    (row,) = writes.rows[TRANSACTION]
    assert row[:4] == ("INST", "PURCHASE", "p-1", "041200001")
    stored = json.dumps(row, default=str, ensure_ascii=False)
    assert "56191737085370612468" not in stored
    assert "2468" in stored
    assert writes.rows[SIGHTING][0][:2] == ("INST", "041200001")


def test_inputs_open_a_transaction_without_a_sighting() -> None:
    """A request alone is not a sight of the meter (the switch may refuse it)."""
    writes = Writes()
    event = {"occurred_at": AT, "lookup_id": "l-1", "institution_id": "INST", "meter_number": "1"}
    apply(Topic.LOOKUP_REQUESTED, event, writes)
    assert writes.rows[TRANSACTION][0][5] is not None
    assert SIGHTING not in writes.rows


def test_only_cleared_flags_are_kept_and_unreadable_events_add_nothing() -> None:
    """MARKs are the audit log's already; events without time or meter are skipped."""
    writes = Writes()
    flag = {"occurred_at": AT, "meter_number": "1", "event_id": "e-1", "reason": "done"}
    apply(Topic.REBROADCAST_FLAGS, flag | {"action": "MARK"}, writes)
    apply(Topic.REBROADCAST_FLAGS, flag | {"action": "CLEARED"}, writes)
    apply(Topic.LOOKUP_COMPLETED, {"meter_number": "1"}, writes)
    apply(Topic.LOOKUP_COMPLETED, {"occurred_at": AT, "institution_id": "I"}, writes)
    assert list(writes.rows) == [CLEARED]
