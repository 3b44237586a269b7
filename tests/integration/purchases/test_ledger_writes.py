"""The ledger's writes in one transaction reach PostgreSQL together, references and all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from adapters.postgres.store import PgSwitchStore
from service.domain.advice import AdviceKind
from service.domain.money import Money
from service.domain.purchase_state import PurchaseState
from service.ports.purchases import PurchaseRecord

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


async def test_a_new_purchase_its_attempt_and_its_advice_are_written_in_one_go(
    pool: asyncpg.Pool,
) -> None:
    """Child rows may reference a purchase inserted by the same held-back statement."""
    store = PgSwitchStore(pool=pool, consumer_group="g")
    purchase = PurchaseRecord(
        purchase_id=uuid.uuid4(),
        request_event_id=uuid.uuid4(),
        institution_id="RETAIL-01",
        meter_number="04121111111",
        amount=Money(value=5000, currency="ZAR"),
        utility_type="ELECTRICITY",
        state=PurchaseState.RECEIVED,
    )
    async with store.transaction() as tx:
        await tx.purchases.save(purchase)
        await tx.purchases.add_attempt(
            purchase.purchase_id,
            provider_id="P1",
            operation="PURCHASE",
            result="SUCCEEDED",
            http_status=201,
            error_type=None,
        )
        await tx.purchases.queue_advice(
            advice_id=uuid.uuid4(),
            purchase_id=purchase.purchase_id,
            provider_id="P1",
            kind=AdviceKind.CONFIRMATION,
            reason=None,
            at=T0,
        )
        await tx.commit()
    async with pool.acquire() as conn:
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM purchases) p,"
            " (SELECT count(*) FROM purchase_attempts) a, (SELECT count(*) FROM advices) d"
        )
    assert counts is not None
    assert tuple(counts) == (1, 1, 1)
    assert await store.read_purchase(purchase.purchase_id) == purchase


async def test_a_write_that_breaks_a_reference_fails_the_commit_and_leaves_nothing(
    pool: asyncpg.Pool,
) -> None:
    """A held-back write's error surfaces at commit, and the whole transaction is undone."""
    store = PgSwitchStore(pool=pool, consumer_group="g")

    async def orphan_attempt() -> None:
        async with store.transaction() as tx:
            await tx.audit.record(actor="ops", action="mark", subject="04121111111")
            await tx.purchases.add_attempt(
                uuid.uuid4(),  # no such purchase
                provider_id="P1",
                operation="PURCHASE",
                result="SUCCEEDED",
                http_status=201,
                error_type=None,
            )
            await tx.commit()

    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await orphan_attempt()
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 0
