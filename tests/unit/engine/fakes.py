"""In-memory stand-ins for the engine's ports, for unit tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_OID, UUID, uuid5

from service.engine.errors import DecodeError
from service.engine.records import Record
from service.ports.unit_of_work import OutboxMessage


class MemoryPublisher:
    """Keeps what it is asked to publish; fails the first `fail_times` calls."""

    def __init__(self, *, fail_times: int = 0) -> None:
        self.sent: list[OutboxMessage] = []
        self.calls = 0
        self._fail_times = fail_times

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Record the messages, or fail as configured."""
        self.calls += 1
        await asyncio.sleep(0)
        if self.calls <= self._fail_times:
            raise ConnectionError("broker unreachable")
        self.sent.extend(messages)


@dataclass(frozen=True)
class Ping:
    """A minimal decoded event."""

    event_id: UUID
    n: int


def decode_ping(topic: str, value: bytes | None) -> Ping:
    """JSON {"n": int} with a deterministic event id."""
    try:
        body: Any = json.loads(value or b"")
        return Ping(event_id=uuid5(NAMESPACE_OID, f"{topic}:{body['n']}"), n=int(body["n"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise DecodeError(f"not a ping: {exc}") from exc


def record(
    offset: int, *, key: bytes | None = b"k", value: bytes | None = None, partition: int = 0
) -> Record:
    """A record of topic `t` with a ping value numbered by its offset."""
    return Record(
        topic="t",
        partition=partition,
        offset=offset,
        key=key,
        value=value if value is not None else json.dumps({"n": offset}).encode(),
        timestamp_ms=0,
    )
