"""The publishing port the engine writes to: the outbox relay and the dead-letter path use it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from service.ports.unit_of_work import OutboxMessage


class Publisher(Protocol):
    """Publishes messages durably (idempotent producer, acks=all)."""

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Send in order (per key) and return once the broker acknowledged every message."""
        ...
