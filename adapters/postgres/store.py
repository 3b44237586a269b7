"""The switch's store on PostgreSQL: the engine's unit of work plus the switch's repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

from adapters.postgres.audit import PgAuditLog
from adapters.postgres.coalescer import Coalescer
from adapters.postgres.meters import PgMeterRepository
from adapters.postgres.purchases import PgPurchaseLedger, claim_many, save_many
from adapters.postgres.unit_of_work import (
    PgUnitOfWork,
    PgUnitOfWorkFactory,
    claim_events,
    open_unit,
)
from service.domain.support import MeterSupport
from service.ports.purchases import PurchaseRecord
from service.ports.unit_of_work import EventClaim, InputEvent, OutboxMessage


class PgSwitchUnitOfWork:
    """One input event's transaction, with repositories bound to it."""

    def __init__(self, inner: PgUnitOfWork) -> None:
        self._inner = inner
        self.meters = PgMeterRepository(inner.connection)
        self.audit = PgAuditLog(inner.connection)
        self.purchases = PgPurchaseLedger(inner.connection)

    @property
    def already_applied(self) -> bool:
        """Whether this input event was applied before."""
        return self._inner.already_applied

    async def add_output(self, message: OutboxMessage) -> None:
        """Queue an output event for the outbox."""
        await self._inner.add_output(message)

    async def commit(self) -> None:
        """State, outputs and the processed mark, durable together."""
        await self._inner.commit()


class PgSwitchStore:
    """Units of work and reads on one connection pool.

    What events do outside their transactions (claims, meter reads, the SENT mark) is
    coalesced: requests made at the same time share one statement and one commit
    (`Coalescer`), each answered as it would have been alone.
    """

    def __init__(self, *, pool: asyncpg.Pool, consumer_group: str, max_batch: int = 64) -> None:
        self._pool = pool
        self._group = consumer_group
        self._factory = PgUnitOfWorkFactory(pool=pool, consumer_group=consumer_group)
        self._claims = Coalescer(self._claim_events, max_batch=max_batch)
        self._reads = Coalescer(self._read_meters, max_batch=max_batch)
        self._purchase_claims = Coalescer(self._claim_purchases, max_batch=max_batch)
        self._saves = Coalescer(self._save_purchases, max_batch=max_batch)

    @asynccontextmanager
    async def begin(self, source: InputEvent) -> AsyncIterator[PgSwitchUnitOfWork]:
        """A transaction that applies `source` at most once."""
        async with self._factory.begin(source) as uow:
            yield PgSwitchUnitOfWork(uow)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgSwitchUnitOfWork]:
        """A transaction with the repositories and the outbox, recording no input event."""
        async with open_unit(self._pool, None, group="") as uow:
            yield PgSwitchUnitOfWork(uow)

    async def read_meter(self, meter_number: str) -> MeterSupport | None:
        """The meter as last committed."""
        return await self._reads(meter_number)

    async def claim_event(self, source: InputEvent) -> EventClaim:
        """Claim the input event's id with its content's hash (rule 21), autocommitted."""
        return await self._claims(source)

    async def _claim_events(self, sources: Sequence[InputEvent]) -> list[EventClaim]:
        return await claim_events(self._pool, sources, group=self._group)

    async def _read_meters(self, numbers: Sequence[str]) -> list[MeterSupport | None]:
        async with self._pool.acquire() as conn:
            found = await PgMeterRepository(conn).get_many(numbers)
        return [found.get(n) for n in numbers]

    async def claim_purchase(self, purchase: PurchaseRecord) -> tuple[bool, PurchaseRecord]:
        """Claim the purchase id (rule 18), committed on return; else the purchase holding it."""
        return await self._purchase_claims(purchase)

    async def save_purchase(self, purchase: PurchaseRecord) -> None:
        """Save outside any transaction: committed when this returns."""
        await self._saves(purchase)

    async def _claim_purchases(
        self, purchases: Sequence[PurchaseRecord]
    ) -> list[tuple[bool, PurchaseRecord]]:
        async with self._pool.acquire() as conn:
            return await claim_many(conn, purchases)

    async def _save_purchases(self, purchases: Sequence[PurchaseRecord]) -> list[None]:
        async with self._pool.acquire() as conn:
            await save_many(conn, purchases)
        return [None] * len(purchases)

    async def read_purchase(self, purchase_id: UUID) -> PurchaseRecord | None:
        """The purchase as last committed."""
        async with self._pool.acquire() as conn:
            return await PgPurchaseLedger(conn).get(purchase_id)
