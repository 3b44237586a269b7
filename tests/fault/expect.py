"""What each published request must get back, and the judge that compares it with what came.

A request is one distinct input record. Its `want`:
- ANSWER: a valid request; one outcome. Copies of a purchase id are grouped by fingerprint:
  one group (of the earliest phase) wins and its copies share one decision; every other copy
  gets `INVALID` / `CONFLICTING_DUPLICATE`.
- INVALID: one INVALID outcome (purchases: with `error.type`), whose message names `field`.
- DEAD_LETTER: no readable id (or too large to read): one dead letter at its source offset.
- NOTHING: an identical copy (same event id, same bytes): skipped, no outcome of its own.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from service.topics import Topic
from tests.crash.rig import Seen, request_id

CONFLICT = "CONFLICTING_DUPLICATE"
CONFLICT_MESSAGE = "conflicting duplicate purchase_id"
ENGINE_RECORD_LIMIT = 64 * 1024  # the engine's default: larger inputs are refused at the door
BROKER_MESSAGE_LIMIT = 1_048_588  # Kafka's default message.max.bytes, the dead-letter topic's cap


class Want(StrEnum):
    """What a request must get back."""

    ANSWER = "an outcome"
    INVALID = "an INVALID outcome"
    DEAD_LETTER = "a dead letter"
    NOTHING = "no outcome of its own"


@dataclass(frozen=True, kw_only=True)
class Request:
    """One input record and what it must get back."""

    label: str
    topic: Topic
    key: bytes | None
    value: bytes
    want: Want
    rid: str | None = None
    error_type: str | None = None
    field: str | None = None
    fingerprint: str | None = None
    phase: int = 0


@dataclass(frozen=True)
class Sent:
    """A request the broker acknowledged, and where it landed."""

    request: Request
    topic: str  # the prefixed name it was published to
    partition: int
    offset: int
    sent_ms: int


@dataclass
class Findings:
    """Problems found, each a line saying which id, what was expected and what came."""

    missing: list[str] = field(default_factory=list)
    conflicting: list[str] = field(default_factory=list)
    vends: list[str] = field(default_factory=list)
    missing_count: int = 0
    conflicting_count: int = 0
    breakdown: Counter[str] = field(default_factory=Counter)  # "figure | what it was" -> n

    def lack(self, line: str, count: int = 1, kind: str = "") -> None:
        """`count` requests have no outcome (or dead letter) that they are owed."""
        self.missing.append(line)
        self.missing_count += count
        self.breakdown[f"outcomes_missing | {kind}"] += count

    def clash(self, line: str, count: int = 1, kind: str = "") -> None:
        """`count` outcomes disagree with each other or with what the contract says."""
        self.conflicting.append(line)
        self.conflicting_count += count
        self.breakdown[f"conflicting_outcomes | {kind}"] += count

    def vend(self, line: str, kind: str) -> None:
        """A purchase id vended more often than due."""
        self.vends.append(line)
        self.breakdown[f"double_vends | {kind}"] += 1


def summary(event: Mapping[str, Any]) -> str:
    """An outcome in a few words: its decision and why."""
    if "tokens" in event:
        return "TOKEN_ISSUED"
    error = event.get("error") or {}
    if error:
        return f"{event.get('outcome')}/{error.get('type')}: {str(error.get('message'))[:80]}"
    reason = event.get("reason")
    return f"{event.get('outcome')}" + (f": {str(reason)[:80]}" if reason else "")


def decision(event: Mapping[str, Any]) -> str:
    """What two agreeing outcomes share: the topic's kind and the outcome (with error type)."""
    if "tokens" in event:
        return "TOKEN_ISSUED"
    error_type = (event.get("error") or {}).get("type")
    return f"{event.get('outcome')}/{error_type}" if error_type else str(event.get("outcome"))


OUTCOME_TOPICS = (
    Topic.LOOKUP_COMPLETED.value,
    Topic.TOKEN_ISSUED.value,
    Topic.PURCHASE_FAILED.value,
)


def outcomes_by_request(
    records: Iterable[Seen], findings: Findings
) -> dict[str, dict[str, dict[str, Any]]]:
    """Request id -> outcome event id -> event; an event id seen with two payloads conflicts."""
    payloads: dict[str, set[bytes]] = defaultdict(set)
    by_rid: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for seen in records:
        if not seen.topic.endswith(OUTCOME_TOPICS):
            continue
        event_id = str(seen.event.get("event_id"))
        payloads[event_id].add(seen.value)
        by_rid[request_id(seen.event)].setdefault(event_id, seen.event)
    for event_id, seen_values in payloads.items():
        if len(seen_values) > 1:
            findings.clash(f"outcome event {event_id} published with 2 payloads")
    return by_rid


def letters_by_source(records: Iterable[Seen]) -> dict[tuple[str, int, int], dict[str, Seen]]:
    """(source topic, partition, offset) -> letter event id -> the letter."""
    letters: dict[tuple[str, int, int], dict[str, Seen]] = defaultdict(dict)
    for seen in records:
        if seen.topic.endswith(Topic.DEAD_LETTER.value):
            e = seen.event
            source = (str(e.get("source_topic")), e.get("source_partition"), e.get("source_offset"))
            letters[source][str(e.get("event_id"))] = seen  # type: ignore[index]
    return letters


def check_letter(sent: Sent, letter: Seen) -> list[str]:
    """An oversize original travels cut, with its full length and SHA-256; a letter fits."""
    problems = []
    value = sent.request.value
    if len(letter.value) > BROKER_MESSAGE_LIMIT:
        problems.append(f"letter of {len(letter.value)} bytes exceeds the topic's limit")
    if len(value) > ENGINE_RECORD_LIMIT:
        e = letter.event
        if e.get("original_length") != len(value):
            problems.append(f"original_length {e.get('original_length')} != {len(value)}")
        if e.get("original_sha256") != hashlib.sha256(value).hexdigest():
            problems.append("original_sha256 does not match the original")
        head = base64.b64decode(e.get("original_value") or "")
        if not head or not value.startswith(head):
            problems.append("original_value does not carry the original's first bytes")
    return problems
