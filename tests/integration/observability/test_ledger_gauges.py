"""The ledger gauges read from PostgreSQL: outbox backlog, unknown purchases, pending advices."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from service.observability.ledger import LedgerCollector, LedgerReader

pytestmark = pytest.mark.integration

PURCHASE = """
INSERT INTO purchases (purchase_id, request_event_id, institution_id, meter_number,
  amount_value, currency, utility_type, state, first_unknown_at)
VALUES ($1, $2, 'INST', '0412', 100, 'ZAR', 'ELECTRICITY', $3, now() - make_interval(secs => $4))
"""
ADVICE = """
INSERT INTO advices (advice_id, purchase_id, provider_id, kind, state, attempts,
  next_attempt_at, created_at)
VALUES ($1, $2, 'P1', $3, $4, $5, now(), now() - interval '2 hours')
"""
OUTBOX = """
INSERT INTO outbox (topic, key, payload, event_id, created_at, published_at)
VALUES ('t', 'k', '\\x7b7d', $1, now() - interval '90 seconds', $2)
"""


async def test_figures_count_only_what_waits_and_age_the_oldest(database_url: str) -> None:
    """Unpublished rows, UNKNOWN purchases and PENDING advices count; finished ones do not."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            unknown, issued = uuid.uuid4(), uuid.uuid4()
            await conn.execute(PURCHASE, unknown, uuid.uuid4(), "UNKNOWN", 700)
            await conn.execute(PURCHASE, issued, uuid.uuid4(), "ISSUED", 0)
            await conn.execute(ADVICE, uuid.uuid4(), issued, "CONFIRMATION", "PENDING", 7)
            await conn.execute(ADVICE, uuid.uuid4(), unknown, "REVERSAL", "DELIVERED", 1)
            await conn.execute(OUTBOX, uuid.uuid4(), None)
            await conn.execute(OUTBOX, uuid.uuid4(), None)
            await conn.execute("UPDATE outbox SET published_at = now() WHERE id = 2")
        figures = await LedgerReader(pool).read()
        collector = LedgerCollector(LedgerReader(pool))
        await collector.refresh()
        names = {m.name: m for m in collector.collect()}
    finally:
        await pool.close()
    assert figures.outbox_backlog == 1
    assert 85 < figures.outbox_oldest_s < 200
    assert figures.awaiting_recovery == 1
    assert 695 < figures.recovery_oldest_s < 800
    assert dict(figures.advices_pending) == {"confirmation": 1}
    assert figures.advice_max_attempts == 7
    assert figures.advice_oldest_s > 7000
    assert names["ppu_ledger_read_ok"].samples[0].value == 1
    pending = {s.labels["kind"]: s.value for s in names["ppu_advices_pending"].samples}
    assert pending == {"confirmation": 1, "reversal": 0}
