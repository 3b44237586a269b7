"""The unit of work on PostgreSQL: one transaction applies an input event once, with its outputs.

`begin` opens a transaction and first marks the (consumer group, event id) row of
`processed_events` applied (inserting it when the event was not claimed first), both in one
round trip. If the row was applied already, the unit reports `already_applied` and writes
nothing. If another transaction is applying the same event right now (a revoked partition's
straggler and its new owner), the mark waits for it and then sees its outcome, so the two can
never both apply it. `claim_events` records event ids with their contents' hashes before any work
(rule 21), so a different event reusing the id is told apart from a replay. Repositories use
`connection`, inside the same transaction; their writes are held back and sent with the next
read or at commit (`DeferringConnection`). At commit the outputs go into the outbox in that
same last statement, with a notification for the relay.

Errors: a constraint violation of the outbox (e.g. an output event id used twice) is a
PermanentError; anything else from asyncpg propagates and counts as transient.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy

from adapters.postgres.deferred import DeferringConnection
from adapters.postgres.outbox import CHANNEL
from service.engine.errors import PermanentError
from service.ports.unit_of_work import (
    AlreadyAppliedError,
    EventClaim,
    InputEvent,
    OutboxMessage,
)

log = structlog.get_logger(__name__)
# Sent as a simple query with BEGIN, so the values are literals (see `_literal`).
_BEGIN_AND_MARK = """BEGIN;
INSERT INTO processed_events
    (consumer_group, event_id, topic, "partition", "offset", content_sha256, applied)
VALUES ({group}, {event_id}, {topic}, {partition:d}, {offset:d}, {sha}, true)
ON CONFLICT (consumer_group, event_id) DO UPDATE SET applied = true
WHERE NOT processed_events.applied"""
# Migration 013: insert each claim, or read the one it ran into; many events in one round trip.
# Claimed in event id order (two batches sharing ids wait in the same order: no deadlock),
# answered in the batch's order.
_CLAIM_EVENTS = """
SELECT claimed.answer
FROM (
    SELECT e, t, p, o, s, n FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[],
        $6::bytea[]) WITH ORDINALITY AS c(e, t, p, o, s, n)
    ORDER BY e, n
) AS sorted
CROSS JOIN LATERAL (SELECT ppu_claim_event($1, e, t, p, o, s) AS answer) AS claimed
ORDER BY n
"""
_INSERT_OUTPUTS = """INSERT INTO outbox (topic, key, payload, event_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::uuid[])"""
_NOTIFY = "SELECT pg_notify($1, '')"


class PgUnitOfWork:
    """An open transaction for one input event (or for none: `already_applied` is then False)."""

    def __init__(
        self, *, connection: PoolConnectionProxy[asyncpg.Record], already_applied: bool
    ) -> None:
        self._raw = connection
        self.connection = DeferringConnection(connection)
        self._already_applied = already_applied
        self._outputs: list[OutboxMessage] = []
        self.committed = False

    @property
    def already_applied(self) -> bool:
        """Whether this input event was applied before."""
        return self._already_applied

    async def add_output(self, message: OutboxMessage) -> None:
        """Queue an output event for the outbox."""
        if self._already_applied:
            raise AlreadyAppliedError("the input event was applied before: it has no new outputs")
        self._outputs.append(message)

    async def commit(self) -> None:
        """Send the held-back writes and the outputs in one statement, then commit.

        A no-op for an event applied before.
        """
        if self._already_applied or self.committed:
            return
        try:
            if self._outputs:
                out = self._outputs
                await self.connection.execute(
                    _INSERT_OUTPUTS,
                    [m.topic for m in out],
                    [m.key for m in out],
                    [m.payload for m in out],
                    [m.event_id for m in out],
                )
                await self.connection.flush(_NOTIFY, CHANNEL)
            else:
                await self.connection.flush()
            await self._raw.execute("COMMIT")
        except asyncpg.IntegrityConstraintViolationError as exc:
            if exc.table_name != "outbox":
                raise
            raise PermanentError(f"outbox write rejected: {exc}") from exc
        self.committed = True


@asynccontextmanager
async def open_unit(
    pool: asyncpg.Pool, source: InputEvent | None, *, group: str
) -> AsyncIterator[PgUnitOfWork]:
    """A transaction on a pooled connection, rolled back unless committed.

    With a `source`, its processed mark is inserted in the same round trip as BEGIN.
    """
    async with pool.acquire() as conn:
        uow: PgUnitOfWork | None = None
        try:
            if source is None:
                await conn.execute("BEGIN")
                uow = PgUnitOfWork(connection=conn, already_applied=False)
            else:
                status = await conn.execute(_begin_and_mark(group, source))
                uow = PgUnitOfWork(connection=conn, already_applied=status.endswith(" 0"))
            yield uow
        finally:
            # A failed COMMIT has already ended the transaction on the server.
            if (uow is None or not uow.committed) and conn.is_in_transaction():
                await _rollback(conn)


def _begin_and_mark(group: str, source: InputEvent) -> str:
    sha = source.content_sha256
    return _BEGIN_AND_MARK.format(
        group=_literal(group),
        event_id=_literal(str(source.event_id)),
        topic=_literal(source.topic),
        partition=source.partition,
        offset=source.offset,
        sha="NULL" if sha is None else f"'\\x{sha.hex()}'::bytea",
    )


async def claim_events(
    pool: asyncpg.Pool, sources: Sequence[InputEvent], *, group: str
) -> list[EventClaim]:
    """Claim many events' ids in one statement; one claim per source, in order."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            _CLAIM_EVENTS,
            group,
            [s.event_id for s in sources],
            [s.topic for s in sources],
            [s.partition for s in sources],
            [s.offset for s in sources],
            [s.content_sha256 for s in sources],
        )
    return [EventClaim(row[0]) for row in rows]


def _literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings is on: only quotes need doubling)."""
    if "\x00" in text:
        raise PermanentError("a NUL character cannot be stored")
    return "'" + text.replace("'", "''") + "'"


class PgUnitOfWorkFactory:
    """Opens units of work on a pool, for one consumer group."""

    def __init__(self, *, pool: asyncpg.Pool, consumer_group: str) -> None:
        self._pool = pool
        self._group = consumer_group

    def begin(self, source: InputEvent) -> AbstractAsyncContextManager[PgUnitOfWork]:
        """A transaction that applies `source` at most once; rolled back unless committed."""
        return open_unit(self._pool, source, group=self._group)


async def _rollback(conn: PoolConnectionProxy[asyncpg.Record]) -> None:
    try:
        await conn.execute("ROLLBACK")
    except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
        # The error that got us here matters more; the pool discards a broken connection.
        log.warning("rollback_failed", exc_info=True)
