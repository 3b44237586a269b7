"""Table sizes from PostgreSQL's catalogue: estimates once analysed, bytes, none when down."""

from __future__ import annotations

import asyncpg
import pytest
from structlog.testing import capture_logs

from adapters.postgres.table_sizes import PgTableSizes
from tests.integration.retention import kit

pytestmark = pytest.mark.integration


async def test_every_table_is_listed_with_its_estimate_once_analysed(database_url: str) -> None:
    """After ANALYZE the outbox's estimate is its row count; every table has bytes."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            for _ in range(40):
                await kit.outbox_row(conn, age_days=0, published=False)
            await conn.execute("ANALYZE outbox")
        sizes = {t.table: t for t in await PgTableSizes(pool, timeout_s=5).table_sizes()}
    finally:
        await pool.close()
    wanted = {"outbox", "processed_events", "purchases", "purchase_attempts", "advices"}
    assert wanted <= sizes.keys()
    assert sizes["outbox"].rows_estimate == 40
    assert all(t.bytes > 0 for t in sizes.values())


async def test_a_database_that_cannot_answer_gives_no_sizes_and_a_warning(
    database_url: str,
) -> None:
    """A closed pool yields an empty list, so a snapshot is still published."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    await pool.close()
    with capture_logs() as logs:
        assert await PgTableSizes(pool, timeout_s=1).table_sizes() == []
    assert [e["event"] for e in logs] == ["table_sizes_failed"]
