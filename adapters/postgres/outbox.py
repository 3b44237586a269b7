"""The outbox in PostgreSQL: rows written by units of work, read by the single leading relay.

Leadership is the relay's advisory lock (`adapters.postgres.leader`), held on the relay's own
connection. The same connection LISTENs for the notification each unit of work sends with its
outputs, so the leader wakes as soon as rows commit. Its marks commit without waiting for the
WAL flush (see `_listen`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import asyncpg

from adapters.postgres.leader import RELAY_LOCK_KEY, AdvisoryLeader
from service.engine.relay import PendingRow
from service.ports.unit_of_work import OutboxMessage

CHANNEL = "ppu_outbox"

_PENDING = """
SELECT id, topic, key, payload, event_id, traceparent FROM outbox
WHERE published_at IS NULL ORDER BY id LIMIT $1
"""
_MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"


class PgOutboxStore:
    """The relay's view of the outbox, on one dedicated connection."""

    def __init__(self, dsn: str, *, lock_key: int = RELAY_LOCK_KEY) -> None:
        self._leader = AdvisoryLeader(dsn, lock_key=lock_key, on_connect=self._listen)
        self._wake = asyncio.Event()

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def _listen(self, conn: asyncpg.Connection) -> None:
        await conn.add_listener(CHANNEL, self._on_notify)
        # A published mark lost in a crash only publishes its rows again, with the same bytes
        # and event ids, which the relay allows anyway: so the mark need not wait for the WAL
        # flush, and the next round starts that much sooner.
        await conn.execute("SET synchronous_commit = off")

    async def lead(self) -> bool:
        """Connect if needed and try the leader lock; True while this relay holds it."""
        return await self._leader.lead()

    async def pending(self, limit: int) -> list[PendingRow]:
        """The oldest unpublished rows in id order."""
        # Cleared before reading: a notification that lands after this read wakes the next wait.
        self._wake.clear()
        rows = await self._connection().fetch(_PENDING, limit)
        return [
            PendingRow(
                id=r["id"],
                message=OutboxMessage(
                    topic=r["topic"],
                    key=r["key"],
                    event_id=r["event_id"],
                    payload=r["payload"],
                    traceparent=r["traceparent"],
                ),
            )
            for r in rows
        ]

    async def mark_published(self, ids: Sequence[int]) -> None:
        """Stamp the rows as published."""
        await self._connection().execute(_MARK, list(ids))

    async def wait_for_rows(self, timeout_s: float) -> None:
        """Return on a notification since the last `pending`, or after `timeout_s`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._wake.wait()

    async def reset(self) -> None:
        """Close the session, which also gives up leadership."""
        await self._leader.reset()

    async def close(self) -> None:
        """Release leadership and the connection."""
        await self._leader.reset()

    def _connection(self) -> asyncpg.Connection:
        return self._leader.connection
