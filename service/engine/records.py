"""The values the engine hands around: a raw record, and a decoded event for the handler."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from service.ports.unit_of_work import InputEvent


class Identified(Protocol):
    """What a decoded event must offer: its unique id (every contract event has one)."""

    @property
    def event_id(self) -> UUID:
        """The event's unique id."""
        ...


T = TypeVar("T", bound=Identified)
T_co = TypeVar("T_co", bound=Identified, covariant=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One Kafka record as read: raw key and value, where it came from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def size(self) -> int:
        """Bytes of key, value and headers: what counts against the broker's size limits."""
        headers = sum(len(k) + len(v or b"") for k, v in self.headers)
        return len(self.key or b"") + len(self.value or b"") + headers

    @property
    def ordering_key(self) -> Hashable:
        """Records sharing this run one at a time; keyless records are ordered per partition."""
        return self.key if self.key is not None else (self.topic, self.partition)

    @classmethod
    def from_consumer_record(cls, rec: Any) -> Record:
        """Copy the fields of an aiokafka ConsumerRecord."""
        return cls(
            topic=rec.topic,
            partition=rec.partition,
            offset=rec.offset,
            key=rec.key,
            value=rec.value,
            timestamp_ms=rec.timestamp,
            headers=tuple(rec.headers or ()),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Generic[T_co]):
    """A decoded record, as a handler receives it; `attempt` counts from 1."""

    record: Record
    payload: T_co
    attempt: int = 1

    @property
    def input(self) -> InputEvent:
        """The reference a unit of work records as processed."""
        return InputEvent(
            event_id=self.payload.event_id,
            topic=self.record.topic,
            partition=self.record.partition,
            offset=self.record.offset,
            content_sha256=hashlib.sha256(self.record.value or b"").digest(),
        )


Decoder = Callable[[str, bytes | None], T]
"""Turns (topic, raw value) into a model; raises DecodeError with the reason when it cannot."""

Handler = Callable[[Event[T]], Awaitable[None]]
"""Applies one event; raises TransientError/PermanentError (anything else counts as transient)."""
