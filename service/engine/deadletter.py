"""Dead letters: the contract's `ppu.dead-letter` event for a record the engine could not process.

The value is UTF-8 JSON (keys sorted) with the contract's fields, so any tool can read it and
the original bytes survive intact, whatever they were:

    {
      "event_id": "<uuid5 of group/topic/partition/offset: a re-sent letter keeps its id>",
      "occurred_at": "<failure time, RFC 3339 UTC>",
      "source_topic": ..., "source_partition": ..., "source_offset": ...,
      "original_key": "<base64 or null>", "original_value": "<base64; null for a tombstone>",
      "original_length": <bytes of the value>, "original_sha256": "<hex of the whole value>",
      "original_truncated": <true when the key, value or headers were cut to fit>,
      "reason": "<why, one line>",
      "error_type": "decode" | "oversize" | "permanent" | "retries_exhausted",
      "consumer_group": "...", "attempts": <handler attempts, 0 for decode failures>,
      "source_timestamp_ms": ..., "headers": [{"key": ..., "value_b64": ...}]
    }

A letter always fits the topic: the original value is kept whole up to `KEPT_VALUE_BYTES`, and
beyond that only its first bytes (with its full length and SHA-256, so it can still be matched
with the producer's copy); keys and header values are cut the same way. The letter's Kafka key
is the original key (cut) (so one meter's letters stay together) and it
carries an `event_id` header. The runner marks the record done only after the broker has
acknowledged the letter, so a crash re-sends the letter rather than losing it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from service.engine.records import Record
from service.ports.unit_of_work import OutboxMessage


class FailureKind(StrEnum):
    """Why a record became a dead letter."""

    DECODE = "decode"
    OVERSIZE = "oversize"
    PERMANENT = "permanent"
    RETRIES_EXHAUSTED = "retries_exhausted"


# A value this long fits whole: the engine's default record limit, well under the broker's 1 MB
# once base64 adds a third.
KEPT_VALUE_BYTES = 65_536
KEPT_KEY_BYTES = 1024
KEPT_HEADERS = 64


def _b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode("ascii")


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _cut(raw: bytes | None, limit: int) -> tuple[bytes | None, bool]:
    if raw is None or len(raw) <= limit:
        return raw, False
    return raw[:limit], True


def letter_id(*, group: str, record: Record) -> UUID:
    """A stable id per consumer group and source position."""
    return uuid5(
        NAMESPACE_URL, f"ppu-dead-letter:{group}:{record.topic}:{record.partition}:{record.offset}"
    )


def dead_letter(
    *,
    topic: str,
    group: str,
    record: Record,
    kind: FailureKind,
    reason: str,
    attempts: int,
    at: datetime,
) -> OutboxMessage:
    """The message to publish to the dead-letter `topic` for `record`."""
    event_id = letter_id(group=group, record=record)
    value, value_cut = _cut(record.value, KEPT_VALUE_BYTES)
    key, key_cut = _cut(record.key, KEPT_KEY_BYTES)
    headers = [(k[:KEPT_KEY_BYTES], _cut(v, KEPT_KEY_BYTES)) for k, v in record.headers]
    headers_cut = len(headers) > KEPT_HEADERS or any(cut for _, (_, cut) in headers)
    envelope = {
        "event_id": str(event_id),
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "source_topic": record.topic,
        "source_partition": record.partition,
        "source_offset": record.offset,
        "original_key": _b64(key),
        "original_value": _b64(value),
        "original_length": None if record.value is None else len(record.value),
        "original_sha256": None if record.value is None else _sha256(record.value),
        "original_truncated": value_cut or key_cut or headers_cut,
        "reason": reason,
        "error_type": kind.value,
        "consumer_group": group,
        "attempts": attempts,
        "source_timestamp_ms": record.timestamp_ms,
        "headers": [{"key": k, "value_b64": _b64(v)} for k, (v, _) in headers[:KEPT_HEADERS]],
    }
    text_key = None if key is None else key.decode("utf-8", errors="replace")
    payload = json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()
    return OutboxMessage(topic=topic, key=text_key, event_id=event_id, payload=payload)
