"""The outbox relay: publishes committed outbox rows to Kafka in order, then marks them published.

One relay at a time is the leader (the store decides, e.g. with a PostgreSQL advisory lock);
the others stand by and take over when the leader's session ends. A single leader reading
rows in id order keeps each key's outputs in order, which SKIP LOCKED batches shared by
several relays would not. A row is marked published only after the broker acknowledged it,
so a crash in between publishes it again: the same stored bytes, the same event_id.
The relay wakes on the store's notification of new rows, and polls as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from service.engine.publishing import Publisher
from service.engine.settings import RelaySettings
from service.ports.unit_of_work import OutboxMessage

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingRow:
    """An unpublished outbox row."""

    id: int
    message: OutboxMessage


class OutboxStore(Protocol):
    """Where the relay reads unpublished rows."""

    async def lead(self) -> bool:
        """Become (or stay) the one relay that publishes; False while another leads."""
        ...

    async def pending(self, limit: int) -> list[PendingRow]:
        """The oldest unpublished rows, in the order they must be published."""
        ...

    async def mark_published(self, ids: Sequence[int]) -> None:
        """Record that these rows reached the broker."""
        ...

    async def wait_for_rows(self, timeout_s: float) -> None:
        """Return when rows may have arrived since the last `pending`, or after the timeout."""
        ...

    async def reset(self) -> None:
        """Drop the session (and leadership) after an error; the next `lead` starts afresh."""
        ...


class OutboxRelay:
    """Moves outbox rows to Kafka until stopped."""

    def __init__(
        self, *, store: OutboxStore, publisher: Publisher, settings: RelaySettings
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._settings = settings
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish rows until `stop` is set; errors are logged and the round is retried."""
        while not stop.is_set():
            try:
                await self._round(stop)
            except Exception as exc:  # the relay must outlive broker and database outages
                log.warning("outbox_relay_failed", error=f"{type(exc).__name__}: {exc}")
                await self._store.reset()
                await _sleep_until(stop, self._settings.error_backoff_s)

    async def _round(self, stop: asyncio.Event) -> None:
        if not await self._store.lead():
            await _sleep_until(stop, self._settings.leader_retry_s)
            return
        rows = await self._store.pending(self._settings.batch_size)
        if not rows:
            await _first_of(stop, self._store.wait_for_rows(self._settings.poll_interval_s))
            return
        await self._publisher.publish([row.message for row in rows])
        await self._store.mark_published([row.id for row in rows])
        self.published += len(rows)
        log.debug("outbox_published", rows=len(rows), last_id=rows[-1].id)


async def _sleep_until(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()


async def _first_of(stop: asyncio.Event, waiting: Coroutine[Any, Any, None]) -> None:
    tasks = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(waiting)]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
