"""The unit of work on PostgreSQL: one transaction applies an input event once, with its outputs.

`begin` opens a transaction and first inserts the (consumer group, event id) row into
`processed_events`. If it is there already, the unit reports `already_applied` and writes
nothing. If another transaction is applying the same event right now (a revoked partition's
straggler and its new owner), the insert waits for it and then sees its outcome, so the two
can never both apply it. Repositories for state changes use `connection`, inside the same
transaction. Outputs are inserted into the outbox at commit, with a notification for the relay.

Errors: a constraint violation (e.g. an output event id used twice) is a PermanentError;
anything else from asyncpg propagates and counts as transient.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from adapters.postgres.outbox import CHANNEL
from service.engine.errors import PermanentError
from service.ports.unit_of_work import AlreadyAppliedError, InputEvent, OutboxMessage

log = structlog.get_logger(__name__)
_MARK_PROCESSED = """
INSERT INTO processed_events (consumer_group, event_id, topic, "partition", "offset")
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
"""
_INSERT_OUTPUTS = """
WITH inserted AS (
    INSERT INTO outbox (topic, key, payload, event_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::uuid[])
)
SELECT pg_notify($5, '')
"""


class PgUnitOfWork:
    """An open transaction for one input event."""

    def __init__(
        self,
        *,
        connection: PoolConnectionProxy[asyncpg.Record],
        transaction: Transaction,
        already_applied: bool,
    ) -> None:
        self.connection = connection
        self._transaction = transaction
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
        """Write the outputs and commit; a no-op for an event applied before."""
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
                    CHANNEL,
                )
            await self._transaction.commit()
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise PermanentError(f"outbox write rejected: {exc}") from exc
        self.committed = True


class PgUnitOfWorkFactory:
    """Opens units of work on a pool, for one consumer group."""

    def __init__(self, *, pool: asyncpg.Pool, consumer_group: str) -> None:
        self._pool = pool
        self._group = consumer_group

    @asynccontextmanager
    async def begin(self, source: InputEvent) -> AsyncIterator[PgUnitOfWork]:
        """A transaction that applies `source` at most once; rolled back unless committed."""
        async with self._pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            uow: PgUnitOfWork | None = None
            try:
                status = await conn.execute(
                    _MARK_PROCESSED,
                    self._group,
                    source.event_id,
                    source.topic,
                    source.partition,
                    source.offset,
                )
                uow = PgUnitOfWork(
                    connection=conn, transaction=transaction, already_applied=status.endswith(" 0")
                )
                yield uow
            finally:
                # A failed COMMIT has already ended the transaction on the server.
                if (uow is None or not uow.committed) and conn.is_in_transaction():
                    await _rollback(transaction)


async def _rollback(transaction: Transaction) -> None:
    try:
        await transaction.rollback()
    except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
        # The error that got us here matters more; the pool discards a broken connection.
        log.warning("rollback_failed", exc_info=True)
