"""The unit-of-work port: one database transaction per input event, with its outputs.

A handler opens a unit of work for the input event it is applying. Inside it writes its
state changes (through repositories bound to the same transaction), adds the output events
to the outbox and commits; the input event is recorded as processed in that same
transaction. When the input was applied before (redelivery after a crash or a rebalance,
or a duplicate publish), `already_applied` is true and the handler writes nothing new.
Leaving the block without `commit()` (or with an exception) rolls everything back.

    async with uow_factory.begin(event.input) as uow:
        if uow.already_applied:
            return
        ...  # state changes
        await uow.add_output(OutboxMessage(topic=..., key=..., event_id=..., payload=...))
        await uow.commit()
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol
from uuid import UUID, uuid5


@dataclass(frozen=True, slots=True, kw_only=True)
class InputEvent:
    """The input event being applied: its id, where it was read from, and its content's hash.

    `content_sha256` tells a replay of the event (same bytes) from another event that reuses
    its id (rule 21); None when the content is not known.
    """

    event_id: UUID
    topic: str
    partition: int
    offset: int
    content_sha256: bytes | None = None

    def reanswer(self) -> InputEvent:
        """The input to record for the answer to a request that reused an event id.

        Its id is derived from the id and the content, so the answer is written once however
        often that request is redelivered, and never meets the first event's own mark.
        """
        digest = (self.content_sha256 or b"").hex()
        return replace(self, event_id=uuid5(self.event_id, f"event-id-reused:{digest}"))


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxMessage:
    """An output event: payload is the canonical JSON bytes, published exactly as given."""

    topic: str
    key: str | None
    event_id: UUID
    payload: bytes
    traceparent: str | None = None  # the writer's W3C trace context, when tracing is on


class EventClaim(StrEnum):
    """What claiming an input event's id before any work found (rule 21)."""

    NEW = "NEW"  # first seen now, or seen and not applied yet (resume after a crash)
    REPLAY = "REPLAY"  # applied before, with the same content: skip
    REUSED = "REUSED"  # the id belongs to another event with different content: answer so


class AlreadyAppliedError(Exception):
    """A write was attempted in a unit of work whose input event was applied before."""


class UnitOfWork(Protocol):
    """One open transaction for one input event."""

    @property
    def already_applied(self) -> bool:
        """Whether this input event was applied before; then nothing may be written."""
        ...

    async def add_output(self, message: OutboxMessage) -> None:
        """Queue an output event for the outbox, written when the unit commits."""
        ...

    async def commit(self) -> None:
        """Make the state changes, the outputs and the processed mark durable together."""
        ...


class UnitOfWorkFactory(Protocol):
    """Opens units of work; the consumer group is fixed by the implementation."""

    def begin(self, source: InputEvent) -> AbstractAsyncContextManager[UnitOfWork]:
        """Start a transaction that applies `source` at most once."""
        ...
