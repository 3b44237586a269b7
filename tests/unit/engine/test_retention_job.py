"""The retention job's loop against a fake store: leadership, pauses, stopping and failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

from structlog.testing import capture_logs

from service.engine.retention import RetentionJob, Table
from service.engine.retention_settings import RetentionSettings

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
FAST = RetentionSettings(batch_size=10, pause_s=0, interval_s=0.01)


class FakeStore:
    """Leads when told to; each table yields its scripted statement counts."""

    def __init__(self, *, leads: bool = True, fail_on: Table | None = None) -> None:
        self.leads = leads
        self.fail_on = fail_on
        self.counts: dict[Table, list[int]] = {t: [10, 10, 3] for t in Table}
        self.swept: list[tuple[Table, datetime, int]] = []
        self.resets = 0
        self.reset_twice = asyncio.Event()

    async def lead(self) -> bool:
        """Leadership as scripted."""
        return self.leads

    async def sweep(
        self, table: Table, *, before: datetime, limit: int
    ) -> AsyncGenerator[int, None]:
        """The scripted counts, or a failure on `fail_on`."""
        self.swept.append((table, before, limit))
        if table is self.fail_on:
            raise ConnectionResetError("database went away")
        for count in self.counts[table]:
            yield count

    async def reset(self) -> None:
        """Counts the resets."""
        self.resets += 1
        if self.resets >= 2:
            self.reset_twice.set()


async def test_one_run_visits_every_table_with_its_own_cutoff() -> None:
    """Each table is swept with now minus its window and the batch size as the limit."""
    store = FakeStore()
    job = RetentionJob(store=store, settings=FAST, clock=lambda: NOW)
    deleted = await job.run_once(asyncio.Event())
    assert deleted == dict.fromkeys(Table, 23)
    cutoffs = {table: (NOW - before).days for table, before, _ in store.swept}
    assert cutoffs == {
        Table.OUTBOX: 7,
        Table.PROCESSED_EVENTS: 14,
        Table.PURCHASE_ATTEMPTS: 90,
        Table.ADVICES: 90,
    }
    assert {limit for *_, limit in store.swept} == {10}


async def test_a_standby_never_deletes() -> None:
    """While another instance leads, the job only waits."""
    store = FakeStore(leads=False)
    job = RetentionJob(store=store, settings=FAST, clock=lambda: NOW)
    stop = asyncio.Event()
    task = asyncio.create_task(job.run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await task
    assert (job.runs, store.swept) == (0, [])


async def test_a_stop_ends_the_run_after_the_current_statement() -> None:
    """A stop set during a run takes effect between two statements."""
    store = FakeStore()
    stop = asyncio.Event()
    stop.set()
    job = RetentionJob(store=store, settings=FAST, clock=lambda: NOW)
    assert await job.run_once(stop) == dict.fromkeys(Table, 0)
    assert store.swept == []


async def test_a_failed_run_is_logged_with_what_it_deleted_and_the_session_dropped() -> None:
    """A database error ends the run, logs its partial counts, resets the store; the job goes on."""
    store = FakeStore(fail_on=Table.PURCHASE_ATTEMPTS)
    job = RetentionJob(store=store, settings=FAST, clock=lambda: NOW)
    stop = asyncio.Event()
    with capture_logs() as logs:
        task = asyncio.create_task(job.run(stop))
        await asyncio.wait_for(store.reset_twice.wait(), timeout=5)
        stop.set()
        await task
    line = next(e for e in logs if e["event"] == "retention_run")
    assert (line["deleted_outbox"], line["deleted_purchase_attempts"]) == (23, 0)
    assert "ConnectionResetError" in line["error"]
    assert job.runs >= 2
    assert any(e["event"] == "retention_failed" for e in logs)


async def test_a_long_sweep_reports_its_progress() -> None:
    """Every hundred statements of one table, a progress line with the rows deleted so far."""
    store = FakeStore()
    store.counts[Table.PROCESSED_EVENTS] = [10] * 250
    job = RetentionJob(store=store, settings=FAST, clock=lambda: NOW)
    with capture_logs() as logs:
        await job.run_once(asyncio.Event())
    progress = [e for e in logs if e["event"] == "retention_progress"]
    assert [(e["table"], e["deleted"]) for e in progress] == [
        ("processed_events", 1000),
        ("processed_events", 2000),
    ]
