"""The retention job's deletes in PostgreSQL, on the connection that holds its leader lock.

Every statement touches at most `limit` rows, so none holds locks or builds WAL for long:
- `outbox` and `purchase_attempts` are walked in id order (their primary key) from a cursor:
  one statement reads the next `limit` rows and deletes those that qualify, and the walk ends
  at the first row created after the cut-off (ids grow with time). Rows that must stay (an
  unpublished row, an attempt of an unfinished purchase) are stepped over; the next run reads
  them again, a bounded cost.
- `processed_events` and finished `advices` have no ordered key; migration 009 indexes their
  age, so each statement takes the oldest `limit` expired rows from the index.
An attempt goes only when its purchase is finished (`FINISHED_PURCHASE_STATES`) since before the
cut-off and has no advice pending; the purchase row itself is never deleted.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

from adapters.postgres.leader import RETENTION_LOCK_KEY, AdvisoryLeader
from service.domain.retention import FINISHED_ADVICE_STATES, FINISHED_PURCHASE_STATES
from service.engine.retention import Table

# Each DELETE names its rows as an array (`= ANY(ARRAY(...))`): the planner then fetches them by
# key, where a join with the chosen rows would hash the whole table for a thousand rows.
# $1 cut-off, $2 limit, $3 the cursor (last id seen); `recent` tells the walk to end.
_OUTBOX = """
WITH head AS (
    SELECT id, created_at, published_at FROM outbox WHERE id > $3 ORDER BY id LIMIT $2
), gone AS (
    DELETE FROM outbox
    WHERE id = ANY(ARRAY(SELECT id FROM head WHERE published_at < $1))
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone) AS deleted, count(*) AS scanned, max(id) AS last_id,
       coalesce(bool_or(created_at >= $1), false) AS recent
FROM head
"""
# $4 the finished purchase states.
_ATTEMPTS = """
WITH head AS (
    SELECT id, purchase_id, at FROM purchase_attempts WHERE id > $3 ORDER BY id LIMIT $2
), doomed AS (
    SELECT h.id FROM head h JOIN purchases p ON p.purchase_id = h.purchase_id
    WHERE h.at < $1 AND p.state = ANY($4::text[]) AND p.updated_at < $1
      AND NOT EXISTS (SELECT 1 FROM advices d
                      WHERE d.purchase_id = p.purchase_id AND d.state = 'PENDING')
), gone AS (
    DELETE FROM purchase_attempts WHERE id = ANY(ARRAY(SELECT id FROM doomed)) RETURNING 1
)
SELECT (SELECT count(*) FROM gone) AS deleted, count(*) AS scanned, max(id) AS last_id,
       coalesce(bool_or(at >= $1), false) AS recent
FROM head
"""
# By physical address: the key is two columns, and the row cannot move within the statement.
_PROCESSED = """
WITH gone AS (
    DELETE FROM processed_events WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM processed_events
        WHERE processed_at < $1 ORDER BY processed_at LIMIT $2))
    RETURNING 1
)
SELECT count(*) FROM gone
"""
# A literal list (constants of the domain), as advices_finished_idx's predicate in 009 is: the
# planner uses a partial index only for a condition it can prove implies the predicate.
_FINISHED_ADVICES = ", ".join(f"'{state}'" for state in sorted(FINISHED_ADVICE_STATES))
_ADVICES = f"""
WITH gone AS (
    DELETE FROM advices WHERE advice_id = ANY(ARRAY(
        SELECT advice_id FROM advices
        WHERE state IN ({_FINISHED_ADVICES}) AND finished_at < $1
        ORDER BY finished_at LIMIT $2))
    RETURNING 1
)
SELECT count(*) FROM gone
"""


class PgRetentionStore:
    """Leader election and bounded deletes for the retention job."""

    def __init__(
        self, dsn: str, *, statement_timeout_s: float, lock_key: int = RETENTION_LOCK_KEY
    ) -> None:
        self._leader = AdvisoryLeader(dsn, lock_key=lock_key)
        self._timeout_s = statement_timeout_s

    async def lead(self) -> bool:
        """Connect if needed and try the retention lock; True while this instance holds it."""
        return await self._leader.lead()

    def sweep(self, table: Table, *, before: datetime, limit: int) -> AsyncGenerator[int, None]:
        """Delete the table's rows expired before `before`, yielding each statement's count."""
        if table is Table.OUTBOX:
            return self._walk(_OUTBOX, before, limit)
        if table is Table.PURCHASE_ATTEMPTS:
            return self._walk(_ATTEMPTS, before, limit, sorted(FINISHED_PURCHASE_STATES))
        if table is Table.PROCESSED_EVENTS:
            return self._oldest(_PROCESSED, before, limit)
        return self._oldest(_ADVICES, before, limit)

    async def _walk(
        self, sql: str, before: datetime, limit: int, *extra: object
    ) -> AsyncGenerator[int, None]:
        after = 0
        while True:
            row = await self._leader.connection.fetchrow(
                sql, before, limit, after, *extra, timeout=self._timeout_s
            )
            if row is None or not row["scanned"]:
                return
            yield row["deleted"]
            if row["scanned"] < limit or row["recent"]:
                return
            after = row["last_id"]

    async def _oldest(self, sql: str, before: datetime, limit: int) -> AsyncGenerator[int, None]:
        while True:
            deleted: int = await self._leader.connection.fetchval(
                sql, before, limit, timeout=self._timeout_s
            )
            yield deleted
            if deleted < limit:
                return

    async def reset(self) -> None:
        """Close the session, which also gives up leadership."""
        await self._leader.reset()

    async def close(self) -> None:
        """Release leadership and the connection."""
        await self._leader.reset()
