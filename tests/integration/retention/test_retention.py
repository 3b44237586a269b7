"""The retention job on real PostgreSQL: what goes, what stays, one leader, small batches."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from structlog.testing import capture_logs

from adapters.postgres.retention import PgRetentionStore
from adapters.ppu_v3.simulator.config import UtilityCoverage
from service.engine.retention import RetentionJob, Table
from service.engine.retention_settings import RetentionSettings
from tests.integration.conftest import SwitchFactory
from tests.integration.retention import kit
from tests.support.switch import sim_provider

pytestmark = pytest.mark.integration
FAST = RetentionSettings(batch_size=10, pause_s=0, interval_s=0.1)
FINISHED = ("FAILED", "ISSUED", "CONFIRMATION_ACKNOWLEDGED", "REVERSAL_ACKNOWLEDGED")
UNFINISHED = ("SENT", "UNKNOWN", "REVERSAL_PENDING", "CONFIRMATION_SENT")
CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test's database for seeding and reading."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def leading_job(
    database_url: str, settings: RetentionSettings = FAST
) -> AsyncIterator[tuple[RetentionJob, PgRetentionStore]]:
    """A job whose store leads, closed on exit."""
    store = PgRetentionStore(database_url, statement_timeout_s=settings.statement_timeout_s)
    try:
        assert await store.lead()
        yield RetentionJob(store=store, settings=settings, clock=lambda: datetime.now(UTC)), store
    finally:
        await store.close()


async def seed(conn: asyncpg.Connection) -> tuple[dict[str, set[Any]], dict[str, set[Any]]]:
    """Rows past their window (expired) and rows that must stay (kept), per table and id column."""
    expired: dict[str, set[Any]] = {"outbox": set(), "processed_events": set()}
    kept: dict[str, set[Any]] = {"outbox": set(), "processed_events": set()}
    expired |= {"purchase_attempts": set(), "advices": set()}
    kept |= {"purchase_attempts": set(), "advices": set()}
    # Ids grow with time, as in production: the old rows first, interleaved with kept ones.
    for _ in range(2):
        expired["outbox"].add(await kit.outbox_row(conn, age_days=10, published=True))
        kept["outbox"].add(await kit.outbox_row(conn, age_days=10, published=False))
    kept["outbox"].add(await kit.outbox_row(conn, age_days=1, published=True))
    expired["processed_events"].add(await kit.processed_mark(conn, age_days=20))
    kept["processed_events"].add(await kit.processed_mark(conn, age_days=13))
    kept["processed_events"].add(await kit.processed_mark(conn, age_days=0))

    for state in FINISHED:
        done = await kit.purchase(conn, state=state, updated_days=100)
        expired["purchase_attempts"].add(await kit.attempt(conn, done, age_days=100))
    for state in UNFINISHED:
        open_ = await kit.purchase(conn, state=state, updated_days=100)
        kept["purchase_attempts"].add(await kit.attempt(conn, open_, age_days=100))
    waiting = await kit.purchase(conn, state="FAILED", updated_days=100)
    kept["purchase_attempts"].add(await kit.attempt(conn, waiting, age_days=100))
    kept["advices"].add(await kit.advice(conn, waiting, state="PENDING", age_days=100))
    lately = await kit.purchase(conn, state="FAILED", updated_days=10)
    kept["purchase_attempts"].add(await kit.attempt(conn, lately, age_days=100))

    confirmed = await kit.purchase(conn, state="CONFIRMATION_ACKNOWLEDGED", updated_days=100)
    for state in ("DELIVERED", "REJECTED"):
        expired["advices"].add(await kit.advice(conn, confirmed, state=state, age_days=100))
    kept["advices"].add(await kit.advice(conn, confirmed, state="DELIVERED", age_days=10))
    return expired, kept


ID_COLUMN = {
    "outbox": "id",
    "processed_events": "event_id",
    "purchase_attempts": "id",
    "advices": "advice_id",
}


async def remaining(conn: asyncpg.Connection) -> dict[str, set[Any]]:
    """The ids left in each table retention touches."""
    return {table: await kit.ids(conn, table, column) for table, column in ID_COLUMN.items()}


async def test_expired_rows_of_every_table_are_deleted(
    database_url: str, conn: asyncpg.Connection
) -> None:
    """Old published outbox rows and marks, finished purchases' attempts and advices go."""
    expired, _ = await seed(conn)
    async with leading_job(database_url) as (job, _store):
        deleted = await job.run_once(asyncio.Event())
    left = await remaining(conn)
    for table, gone in expired.items():
        assert not gone & left[table], f"{table}: expired rows were kept"
    assert deleted == {Table(t): len(rows) for t, rows in expired.items()}


async def test_unpublished_recent_and_unfinished_rows_are_kept(
    database_url: str, conn: asyncpg.Connection
) -> None:
    """Unpublished or recent rows, attempts of unfinished purchases, pending advices stay."""
    _, kept = await seed(conn)
    purchases_before = await conn.fetchval("SELECT count(*) FROM purchases")
    async with leading_job(database_url) as (job, _store):
        await job.run_once(asyncio.Event())
    left = await remaining(conn)
    for table, stays in kept.items():
        assert stays <= left[table], f"{table}: lost {stays - left[table]}"
    assert await conn.fetchval("SELECT count(*) FROM purchases") == purchases_before


async def eventually(check: Callable[[], bool], within_s: float = 15) -> None:
    """Wait until `check` holds, or fail after `within_s`."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def test_only_one_of_two_instances_runs_until_the_leader_goes(
    database_url: str, conn: asyncpg.Connection
) -> None:
    """Two jobs on one database: one runs, the other stands by, and takes over when it stops."""
    stores = [PgRetentionStore(database_url, statement_timeout_s=5) for _ in range(2)]
    jobs = [RetentionJob(store=s, settings=FAST, clock=lambda: datetime.now(UTC)) for s in stores]
    stops = [asyncio.Event(), asyncio.Event()]
    tasks = [asyncio.create_task(j.run(s)) for j, s in zip(jobs, stops, strict=True)]
    try:
        await eventually(lambda: sum(j.runs for j in jobs) >= 5)
        leader = next(i for i, j in enumerate(jobs) if j.runs)
        standby = 1 - leader
        assert jobs[standby].runs == 0
        expired = await kit.outbox_row(conn, age_days=10, published=True)
        await eventually(lambda: jobs[leader].deleted[Table.OUTBOX] == 1)

        stops[leader].set()
        await tasks[leader]
        await stores[leader].close()
        again = await kit.outbox_row(conn, age_days=10, published=True)
        await eventually(lambda: jobs[standby].deleted[Table.OUTBOX] == 1)
        assert jobs[leader].deleted[Table.OUTBOX] == 1
        assert not {expired, again} & await kit.ids(conn, "outbox", "id")
    finally:
        for stop in stops:
            stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
        for store in stores:
            await store.close()


async def seed_many(conn: asyncpg.Connection, count: int) -> None:
    """`count` expired rows in every table, with rows to keep between them."""
    for i in range(count):
        await kit.outbox_row(conn, age_days=10, published=True)
        if i % 5 == 0:
            await kit.outbox_row(conn, age_days=10, published=False)
        await kit.processed_mark(conn, age_days=20)
    done = await kit.purchase(conn, state="FAILED", updated_days=100)
    stuck = await kit.purchase(conn, state="UNKNOWN", updated_days=100)
    for i in range(count):
        await kit.attempt(conn, done, age_days=100)
        if i % 5 == 0:
            await kit.attempt(conn, stuck, age_days=100)
        await kit.advice(conn, done, state="DELIVERED", age_days=100)


async def test_a_run_over_more_rows_than_a_batch_deletes_them_all_in_bounded_statements(
    database_url: str, conn: asyncpg.Connection
) -> None:
    """25 expired rows per table, batches of 10: several statements, none over 10, all gone."""
    await seed_many(conn, 25)
    async with leading_job(database_url) as (_job, store):
        for table in Table:
            before = kit.days_ago(7)  # past every seeded age's window
            counts = [n async for n in store.sweep(table, before=before, limit=10)]
            assert sum(counts) == 25, table
            assert len(counts) >= 3, table
            assert max(counts) <= 10, table
    assert await conn.fetchval("SELECT count(*) FROM outbox") == 5
    assert await conn.fetchval("SELECT count(*) FROM purchase_attempts") == 5


async def test_a_run_logs_one_line_with_the_rows_deleted_per_table(
    database_url: str, conn: asyncpg.Connection
) -> None:
    """The run's log line names each table's count and the statements it took."""
    await seed_many(conn, 12)
    async with leading_job(database_url) as (job, _store):
        with capture_logs() as logs:
            await job.run_once(asyncio.Event())
    (line,) = [e for e in logs if e["event"] == "retention_run"]
    assert {k: v for k, v in line.items() if k.startswith("deleted_")} == {
        f"deleted_{t.value}": 12 for t in Table
    }
    assert line["batches"] >= 8
    assert line["error"] is None


async def test_a_running_switch_runs_retention_on_its_database(
    switch: SwitchFactory, database_url: str, conn: asyncpg.Connection
) -> None:
    """The composed switch leads the job and deletes an expired row with its default windows."""
    expired = await kit.outbox_row(conn, age_days=30, published=True)
    async with switch(sim_provider("P1", CITY)) as sw:
        job = sw.app.retention
        assert job is not None
        await eventually(lambda: job.runs >= 1)
        assert job.deleted[Table.OUTBOX] == 1
    assert expired not in await kit.ids(conn, "outbox", "id")
