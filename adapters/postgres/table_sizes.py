"""How large the service's tables are, from PostgreSQL's catalogue: no table is scanned.

Row counts are the planner's estimate (`pg_class.reltuples`, kept by VACUUM and ANALYZE; unknown
before a table's first), bytes are `pg_total_relation_size` (heap, indexes and TOAST).
"""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from service.observability.tables import TableSize

log = structlog.get_logger(__name__)

_SIZES = """
SELECT c.relname AS name, c.reltuples::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""


class PgTableSizes:
    """Reads every table of the service's schema, over the pool."""

    def __init__(self, pool: asyncpg.Pool, *, timeout_s: float) -> None:
        self._pool = pool
        self._timeout_s = timeout_s

    async def table_sizes(self) -> list[TableSize]:
        """Each table's estimated rows (None until first analysed) and bytes; empty on failure."""
        try:
            # The bound covers waiting for a pooled connection too, which a busy pool may make long.
            async with asyncio.timeout(self._timeout_s):
                rows = await self._pool.fetch(_SIZES)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            # A snapshot without sizes is better than none while the database is away.
            log.warning("table_sizes_failed", error=type(exc).__name__)
            return []
        return [
            TableSize(
                table=r["name"],
                rows_estimate=r["rows"] if r["rows"] >= 0 else None,
                bytes=r["bytes"],
            )
            for r in rows
        ]
