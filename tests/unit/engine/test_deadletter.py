"""The dead-letter envelope carries the original bytes, the source position and the reason."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from schemas.v1.operations import DeadLetter
from service.engine.deadletter import FailureKind, dead_letter
from service.engine.records import Record

AT = datetime(2025, 3, 1, 12, 30, 5, 123000, tzinfo=UTC)


def _record(value: bytes | None = b"\xff not json", key: bytes | None = b"0412345678") -> Record:
    return Record(
        topic="p.ppu.lookup.requested",
        partition=3,
        offset=42,
        key=key,
        value=value,
        timestamp_ms=1_700_000_000_000,
        headers=(("trace", b"\x00\x01"),),
    )


def test_the_envelope_carries_everything_needed_to_replay_the_record() -> None:
    """Original value and key (base64), source topic/partition/offset, reason, failure time."""
    letter = dead_letter(
        topic="p.ppu.dead-letter",
        group="g",
        record=_record(),
        kind=FailureKind.DECODE,
        reason="not JSON",
        attempts=0,
        at=AT,
    )
    body = json.loads(letter.payload)
    contract = DeadLetter.model_validate_json(letter.payload)
    assert contract.value_bytes() == b"\xff not json"
    assert (contract.source_topic, contract.source_partition, contract.source_offset) == (
        "p.ppu.lookup.requested",
        3,
        42,
    )
    assert contract.original_key == base64.b64encode(b"0412345678").decode()
    assert body["source_timestamp_ms"] == 1_700_000_000_000
    assert body["headers"] == [
        {"key": "trace", "value_b64": base64.b64encode(b"\x00\x01").decode()}
    ]
    assert body["reason"] == "not JSON"
    assert body["error_type"] == "decode"
    assert body["occurred_at"] == "2025-03-01T12:30:05.123000Z"
    assert body["event_id"] == str(letter.event_id)
    assert letter.topic == "p.ppu.dead-letter"
    assert letter.key == "0412345678"


def test_a_letter_for_one_position_keeps_its_id() -> None:
    """Re-sent after a crash, a letter has the same event_id; another position gets another id."""
    first = dead_letter(
        topic="d",
        group="g",
        record=_record(),
        kind=FailureKind.PERMANENT,
        reason="x",
        attempts=1,
        at=AT,
    )
    again = dead_letter(
        topic="d",
        group="g",
        record=_record(),
        kind=FailureKind.PERMANENT,
        reason="x",
        attempts=1,
        at=AT,
    )
    other_group = dead_letter(
        topic="d",
        group="h",
        record=_record(),
        kind=FailureKind.PERMANENT,
        reason="x",
        attempts=1,
        at=AT,
    )
    assert first.event_id == again.event_id
    assert first.payload == again.payload
    assert other_group.event_id != first.event_id


def test_a_tombstone_and_a_keyless_record_are_carried_as_null() -> None:
    """No value and no key are null, not empty strings."""
    letter = dead_letter(
        topic="d",
        group="g",
        record=_record(value=None, key=None),
        kind=FailureKind.RETRIES_EXHAUSTED,
        reason="r",
        attempts=5,
        at=AT,
    )
    body = json.loads(letter.payload)
    assert body["original_value"] is None
    assert body["original_key"] is None
    assert body["attempts"] == 5
    assert letter.key is None
