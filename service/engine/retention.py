"""The retention job: deletes rows the switch no longer needs, in small batches, on one instance.

Deletable are published outbox rows, the marks of applied input events, the attempts of
finished purchases and the advices that reached a final answer, each once older than its
window (`RetentionSettings`). Purchases themselves, meters and support are never deleted. One
instance at a time leads (the store decides, with a PostgreSQL advisory lock of its own), runs
every `interval_s`, and pauses between two bounded DELETEs so it never competes with the hot
path for long. Each run logs one line with the rows deleted per table (and a progress line
every `PROGRESS_EVERY` statements of one table, for a run over a large backlog).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import structlog

from service.domain.retention import cutoff
from service.engine.retention_settings import RetentionSettings

log = structlog.get_logger(__name__)
PROGRESS_EVERY = 100
"""Statements between two progress lines, for the long first run over a backlog."""


class Table(StrEnum):
    """The tables the job deletes from, in the order it visits them."""

    OUTBOX = "outbox"
    PROCESSED_EVENTS = "processed_events"
    PURCHASE_ATTEMPTS = "purchase_attempts"
    ADVICES = "advices"


class RetentionStore(Protocol):
    """Where the job deletes, and who may."""

    async def lead(self) -> bool:
        """Become (or stay) the one instance that deletes; False while another leads."""
        ...

    def sweep(self, table: Table, *, before: datetime, limit: int) -> AsyncGenerator[int, None]:
        """Delete the table's rows expired before `before`, at most `limit` per statement.

        Yields each statement's count; ends when nothing expired is left.
        """
        ...

    async def reset(self) -> None:
        """Drop the session (and leadership) after an error; the next `lead` starts afresh."""
        ...


def windows(settings: RetentionSettings) -> dict[Table, float]:
    """Each table's window in days."""
    return {
        Table.OUTBOX: settings.outbox_days,
        Table.PROCESSED_EVENTS: settings.processed_events_days,
        Table.PURCHASE_ATTEMPTS: settings.attempts_days,
        Table.ADVICES: settings.advices_days,
    }


class RetentionJob:
    """Runs retention every interval while this instance leads, until stopped."""

    def __init__(
        self,
        *,
        store: RetentionStore,
        settings: RetentionSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self.runs = 0
        self.deleted: dict[Table, int] = dict.fromkeys(Table, 0)

    async def run(self, stop: asyncio.Event) -> None:
        """Lead and delete every `interval_s` until `stop` is set; errors wait for the next run."""
        while not stop.is_set():
            try:
                if await self._store.lead():
                    await self.run_once(stop)
            except Exception as exc:  # the job must outlive database outages
                log.warning("retention_failed", error=f"{type(exc).__name__}: {exc}")
                await self._store.reset()
            await _sleep_until(stop, self._settings.interval_s)

    async def run_once(self, stop: asyncio.Event) -> dict[Table, int]:
        """One pass over every table (the caller leads); returns the rows deleted per table."""
        now = self._clock()
        started = time.monotonic()
        deleted = dict.fromkeys(Table, 0)
        batches = 0
        error: str | None = None
        try:
            for table, days in windows(self._settings).items():
                if stop.is_set():
                    break
                batches += await self._sweep(table, cutoff(now, days), deleted, stop)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.runs += 1
            for table, count in deleted.items():
                self.deleted[table] += count
            log.info(
                "retention_run",
                **{f"deleted_{t.value}": n for t, n in deleted.items()},
                batches=batches,
                duration_s=round(time.monotonic() - started, 3),
                stopped=stop.is_set(),
                error=error,
            )
        return deleted

    async def _sweep(
        self, table: Table, before: datetime, deleted: dict[Table, int], stop: asyncio.Event
    ) -> int:
        batches = 0
        limit = self._settings.batch_size
        async with contextlib.aclosing(self._store.sweep(table, before=before, limit=limit)) as it:
            async for count in it:
                batches += 1
                deleted[table] += count
                if batches % PROGRESS_EVERY == 0:
                    log.info("retention_progress", table=table.value, deleted=deleted[table])
                if stop.is_set():
                    break
                # The pause leaves the database to the hot path between two deletes.
                await _sleep_until(stop, self._settings.pause_s)
        return batches


async def _sleep_until(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()
