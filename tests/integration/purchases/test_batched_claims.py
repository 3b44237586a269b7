"""Claims and SENT marks made together share a statement and answer as each would alone."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import asyncpg
import pytest

from adapters.postgres.purchases import claim_many, save_many
from adapters.postgres.store import PgSwitchStore
from service.domain.money import Money
from service.domain.purchase_state import PurchaseState
from service.ports.purchases import PurchaseRecord

pytestmark = pytest.mark.integration


def _request(purchase_id: uuid.UUID, *, meter: str = "04121111111") -> PurchaseRecord:
    return PurchaseRecord(
        purchase_id=purchase_id,
        request_event_id=uuid.uuid4(),
        institution_id="RETAIL-01",
        meter_number=meter,
        amount=Money(value=5000, currency="ZAR"),
        utility_type="ELECTRICITY",
        state=PurchaseState.RECEIVED,
    )


async def test_rule_18_in_one_batch_the_first_request_of_an_id_wins_it(
    pool: asyncpg.Pool,
) -> None:
    """Copies of one id in one batch (another key, the same event twice) lose to the first;
    an id claimed earlier stays with its first owner; other ids are claimed."""
    taken, shared, alone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    earlier = _request(taken)
    async with pool.acquire() as conn:
        assert await claim_many(conn, [earlier]) == [(True, earlier)]
        first, copy = _request(shared), _request(shared, meter="04122222222")
        again, late, other = _request(taken), first, _request(alone)
        answers = await claim_many(conn, [first, copy, again, late, other])
    assert answers == [
        (True, first),
        (False, first),
        (False, earlier),
        (False, first),  # the same request delivered twice: the second finds its own claim
        (True, other),
    ]


async def test_concurrent_claims_and_saves_through_the_store_are_durable_on_return(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Forty claims and their SENT marks at once: each answered, each row as last saved."""
    store = PgSwitchStore(pool=pool, consumer_group="g")
    requests = [_request(uuid.uuid4()) for _ in range(40)]
    answers = await asyncio.gather(*(store.claim_purchase(r) for r in requests))
    assert answers == [(True, r) for r in requests]
    sent = [replace(r, state=PurchaseState.SENT, provider_id="P1", tried=("P1",)) for r in requests]
    await asyncio.gather(*(store.save_purchase(s) for s in sent))
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT state, tried_providers FROM purchases WHERE purchase_id = ANY($1::uuid[])",
            [r.purchase_id for r in requests],
        )
    finally:
        await conn.close()
    assert (
        sorted((r["state"], tuple(r["tried_providers"])) for r in rows) == [("SENT", ("P1",))] * 40
    )


async def test_two_saves_of_one_purchase_in_a_batch_keep_the_later(pool: asyncpg.Pool) -> None:
    """executemany runs the statements in order, so the later state of a purchase stands."""
    request = _request(uuid.uuid4())
    routed = replace(request, state=PurchaseState.ROUTED)
    sent = replace(routed, state=PurchaseState.SENT, provider_id="P2", tried=("P2",))
    async with pool.acquire() as conn:
        await save_many(conn, [request, routed, sent])
        state = await conn.fetchval(
            "SELECT state FROM purchases WHERE purchase_id = $1", request.purchase_id
        )
    assert state == "SENT"
