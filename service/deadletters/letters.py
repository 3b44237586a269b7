"""Dead letters as the tools read them, the filters that select them, and replayability (pure).

A letter is the engine's `ppu.dead-letter` envelope (see `service/engine/deadletter.py`) plus
where it sits on the dead-letter topic. Letters written before the envelope carried
`original_length`, `original_sha256` and `original_truncated` read as whole originals.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Headers a replayed record carries, linking it back to its letter.
LINK_ID = "ppu-dead-letter-id"
LINK_POSITION = "ppu-dead-letter-position"
LINK_REPLAYED_AT = "ppu-replayed-at"
LINK_HEADERS = (LINK_ID, LINK_POSITION, LINK_REPLAYED_AT)


class LetterError(ValueError):
    """A dead-letter record that is not a readable envelope."""


def _bytes(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LetterError(f"not base64: {exc}") from exc


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """One letter: its id, the original record, why it failed, and its place on the topic."""

    letter_id: str
    occurred_at: datetime
    source_topic: str
    source_partition: int
    source_offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    reason: str
    error_type: str
    attempts: int
    truncated: bool
    original_length: int | None
    original_sha256: str | None
    position: str  # "<dead-letter topic>/<partition>/<offset>"
    envelope: dict[str, Any] = field(repr=False, compare=False)

    @property
    def replay_of(self) -> str | None:
        """The letter this record's original was itself a replay of, if any."""
        for key, value in self.headers:
            if key == LINK_ID:
                return value.decode("utf-8", errors="replace")
        return None

    def unreplayable(self) -> str | None:
        """Why this letter cannot be replayed, or None when it can."""
        if self.truncated:
            return (
                f"the original was cut to fit the dead-letter topic (full length "
                f"{self.original_length} bytes, sha256 {self.original_sha256}): fetch the whole "
                "record from its producer and publish it again"
            )
        if self.value is None:
            return "the original was a tombstone (no value): there is nothing to replay"
        if self.original_sha256 and hashlib.sha256(self.value).hexdigest() != self.original_sha256:
            return "the kept original does not match its recorded SHA-256"
        return None


def parse(raw: bytes, *, position: str) -> DeadLetter:
    """A letter out of a dead-letter record's value; LetterError when it is not one."""
    try:
        env = json.loads(raw)
        headers = tuple(
            (h["key"], _bytes(h.get("value_b64")) or b"") for h in env.get("headers", [])
        )
        return DeadLetter(
            letter_id=str(env["event_id"]),
            occurred_at=_when(env["occurred_at"]),
            source_topic=env["source_topic"],
            source_partition=int(env["source_partition"]),
            source_offset=int(env["source_offset"]),
            key=_bytes(env.get("original_key")),
            value=_bytes(env.get("original_value")),
            headers=headers,
            reason=str(env.get("reason", "")),
            error_type=str(env.get("error_type", "")),
            attempts=int(env.get("attempts", 0)),
            truncated=bool(env.get("original_truncated", False)),
            original_length=env.get("original_length"),
            original_sha256=env.get("original_sha256"),
            position=position,
            envelope=env,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LetterError(f"{position}: not a dead-letter envelope ({exc})") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class LetterFilter:
    """Which letters a command takes; every condition given must hold."""

    topics: frozenset[str] = frozenset()
    reason: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: frozenset[str] = frozenset()
    limit: int | None = None

    def matches(self, letter: DeadLetter, *, topic_prefix: str = "") -> bool:
        """Whether `letter` is selected (the count limit is applied by the caller)."""
        if self.topics and not any(
            letter.source_topic in (t, f"{topic_prefix}{t}") for t in self.topics
        ):
            return False
        if self.reason and self.reason.lower() not in letter.reason.lower():
            return False
        if self.since and letter.occurred_at < self.since:
            return False
        if self.until and letter.occurred_at >= self.until:
            return False
        return not self.ids or any(letter.letter_id.startswith(i) for i in self.ids)
