"""The purchase ledger on PostgreSQL, bound to one connection/transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from adapters.postgres.connection import Connection
from service.domain.advice import AdviceKind
from service.domain.money import Money
from service.domain.purchase_state import PurchaseState
from service.ports.purchases import AdviceRecord, PurchaseRecord

_WRITTEN = """purchase_id, request_event_id, institution_id, meter_number, amount_value, currency,
utility_type, state, provider_id, tried_providers, retries_made, first_unknown_at,
next_retry_at, outcome_topic, outcome_payload"""
_COLUMNS = f"{_WRITTEN}, duplicate_waiters"
_VALUES = "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb)"
# The claim (rule 18) is a plain insert: a purchase id taken by anyone, on any key or instance,
# is never overwritten by another request. Many claims go in one statement; the winner of each
# id says who it is (its request event id).
# Rows go in id order (copies of one id in arrival order): two batches that share ids then
# wait for each other in the same order and cannot deadlock.
_CLAIM_MANY = f"""
INSERT INTO purchases ({_WRITTEN})
SELECT c.p, c.e, c.i, c.m, c.a, c.cur, c.u, c.st,
       NULL, '{{}}'::text[], 0, NULL::timestamptz, NULL::timestamptz, NULL, NULL::jsonb
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::text[],
            $7::text[], $8::text[]) WITH ORDINALITY AS c(p, e, i, m, a, cur, u, st, n)
ORDER BY c.p, c.n
ON CONFLICT (purchase_id) DO NOTHING RETURNING {_COLUMNS}
"""
_GET_MANY = f"SELECT {_COLUMNS} FROM purchases WHERE purchase_id = ANY($1::uuid[])"
_ADD_WAITER = """
UPDATE purchases SET duplicate_waiters = array_append(duplicate_waiters, $2)
WHERE purchase_id = $1 AND NOT ($2 = ANY (duplicate_waiters))
"""
_SAVE = f"""
INSERT INTO purchases ({_WRITTEN}) VALUES {_VALUES}
ON CONFLICT (purchase_id) DO UPDATE SET
    state = EXCLUDED.state, provider_id = EXCLUDED.provider_id,
    tried_providers = EXCLUDED.tried_providers, retries_made = EXCLUDED.retries_made,
    first_unknown_at = EXCLUDED.first_unknown_at, next_retry_at = EXCLUDED.next_retry_at,
    outcome_topic = EXCLUDED.outcome_topic, outcome_payload = EXCLUDED.outcome_payload,
    updated_at = now()
"""
_CLAIM_UNKNOWN = f"""
UPDATE purchases SET next_retry_at = $2 + $3::interval, updated_at = now()
WHERE purchase_id IN (
    SELECT purchase_id FROM purchases
    WHERE (state = 'UNKNOWN' AND next_retry_at <= $2)
       OR (state = 'SENT' AND updated_at <= $2 - $3::interval)
    ORDER BY next_retry_at NULLS FIRST LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING {_COLUMNS}
"""
# Per purchase only the oldest pending advice is due, so a purchase's advices go in order. The
# oldest is a scalar subquery, always run per candidate on the purchase's index entries: as a
# NOT EXISTS, a planner misled by fresh rows joined every pending advice to every candidate
# (10-18 ms a claim with a thousand advices pending in make bench).
_CLAIM_ADVICES = """
UPDATE advices a SET next_attempt_at = $2 + $3::interval, attempts = a.attempts + 1
WHERE a.advice_id IN (
    SELECT advice_id FROM advices d
    WHERE d.state = 'PENDING' AND d.next_attempt_at <= $2
      AND d.created_at = (SELECT min(e.created_at) FROM advices e
                          WHERE e.purchase_id = d.purchase_id AND e.state = 'PENDING')
    ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING advice_id, purchase_id, provider_id, kind, reason, attempts, created_at
"""


def _record(row: asyncpg.Record) -> PurchaseRecord:
    payload = row["outcome_payload"]
    return PurchaseRecord(
        purchase_id=row["purchase_id"],
        request_event_id=row["request_event_id"],
        institution_id=row["institution_id"],
        meter_number=row["meter_number"],
        amount=Money(value=row["amount_value"], currency=row["currency"]),
        utility_type=row["utility_type"],
        state=PurchaseState(row["state"]),
        provider_id=row["provider_id"],
        tried=tuple(row["tried_providers"]),
        retries_made=row["retries_made"],
        first_unknown_at=row["first_unknown_at"],
        next_retry_at=row["next_retry_at"],
        outcome_topic=row["outcome_topic"],
        outcome_payload=None if payload is None else json.loads(payload),
        waiters=tuple(row["duplicate_waiters"]),
    )


def _arguments(record: PurchaseRecord) -> tuple[Any, ...]:
    payload = None if record.outcome_payload is None else json.dumps(record.outcome_payload)
    return (
        record.purchase_id,
        record.request_event_id,
        record.institution_id,
        record.meter_number,
        record.amount.value,
        record.amount.currency,
        record.utility_type,
        record.state.value,
        record.provider_id,
        list(record.tried),
        record.retries_made,
        record.first_unknown_at,
        record.next_retry_at,
        record.outcome_topic,
        payload,
    )


class PgPurchaseLedger:
    """The `purchases`, `purchase_attempts` and `advices` tables."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    async def get(self, purchase_id: UUID, *, lock: bool = False) -> PurchaseRecord | None:
        """The purchase, locked when asked."""
        suffix = " FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM purchases WHERE purchase_id = $1{suffix}",
            purchase_id,
        )
        return None if row is None else _record(row)

    async def save(self, record: PurchaseRecord) -> None:
        """Insert or update."""
        await self._conn.execute(_SAVE, *_arguments(record))

    async def add_waiter(self, purchase_id: UUID, event_id: UUID) -> None:
        """Keep a copy's event id (once) for the replay of the outcome."""
        await self._conn.execute(_ADD_WAITER, purchase_id, event_id)

    async def add_attempt(
        self,
        purchase_id: UUID,
        *,
        provider_id: str,
        operation: str,
        result: str,
        http_status: int | None,
        error_type: str | None,
    ) -> None:
        """Keep one provider call."""
        await self._conn.execute(
            "INSERT INTO purchase_attempts (purchase_id, provider_id, operation, result,"
            " http_status, error_type) VALUES ($1, $2, $3, $4, $5, $6)",
            purchase_id,
            provider_id,
            operation,
            result,
            http_status,
            error_type,
        )

    async def claim_unknown(
        self, *, now: datetime, lease: timedelta, limit: int
    ) -> list[PurchaseRecord]:
        """Due unknown purchases, leased."""
        rows = await self._conn.fetch(_CLAIM_UNKNOWN, limit, now, lease)
        return [_record(r) for r in rows]

    async def queue_advice(
        self,
        *,
        advice_id: UUID,
        purchase_id: UUID,
        provider_id: str,
        kind: AdviceKind,
        reason: str | None,
        at: datetime,
    ) -> None:
        """Persist an advice, due now."""
        await self._conn.execute(
            "INSERT INTO advices (advice_id, purchase_id, provider_id, kind, reason, state,"
            " next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $6)"
            " ON CONFLICT (advice_id) DO NOTHING",
            advice_id,
            purchase_id,
            provider_id,
            kind.value,
            reason,
            at,
        )

    async def claim_advices(
        self, *, now: datetime, lease: timedelta, limit: int
    ) -> list[AdviceRecord]:
        """Due advices, leased."""
        rows = await self._conn.fetch(_CLAIM_ADVICES, limit, now, lease)
        return [
            AdviceRecord(
                advice_id=r["advice_id"],
                purchase_id=r["purchase_id"],
                provider_id=r["provider_id"],
                kind=AdviceKind(r["kind"]),
                reason=r["reason"],
                attempts=r["attempts"],
                created_at=r["created_at"],
            )
            for r in rows
        ]

    async def finish_advice(
        self,
        advice_id: UUID,
        *,
        state: str,
        status: int | None,
        error: str | None,
        at: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        """Record the attempt's answer."""
        await self._conn.execute(
            "UPDATE advices SET state = $2, last_status = $3, last_error = $4,"
            " finished_at = CASE WHEN $2 = 'PENDING' THEN NULL ELSE $5::timestamptz END,"
            " next_attempt_at = COALESCE($6, next_attempt_at) WHERE advice_id = $1",
            advice_id,
            state,
            status,
            error,
            at,
            next_attempt_at,
        )


async def claim_many(
    conn: Connection, records: Sequence[PurchaseRecord]
) -> list[tuple[bool, PurchaseRecord]]:
    """Claim purchase ids (rule 18): per record, (True, it) when it took the id, else (False,
    the purchase holding it), as each would be answered alone.

    The first record of an id wins it (a later copy in the same batch finds it held), each
    record is a new purchase (nothing tried, no outcome yet), and two statements suffice: the
    insert, then one read of the ids held by others.
    """
    if any(r.tried or r.outcome_payload is not None or r.provider_id for r in records):
        raise ValueError("a claim is a new purchase: nothing tried, no provider, no outcome")
    rows = await conn.fetch(
        _CLAIM_MANY,
        [r.purchase_id for r in records],
        [r.request_event_id for r in records],
        [r.institution_id for r in records],
        [r.meter_number for r in records],
        [r.amount.value for r in records],
        [r.amount.currency for r in records],
        [r.utility_type for r in records],
        [r.state.value for r in records],
    )
    won = {(row["purchase_id"], row["request_event_id"]): _record(row) for row in rows}
    answers: list[tuple[bool, PurchaseRecord] | None] = []
    for record in records:
        winner = won.pop((record.purchase_id, record.request_event_id), None)
        answers.append((True, winner) if winner is not None else None)
    lost = {r.purchase_id for r, a in zip(records, answers, strict=True) if a is None}
    held: dict[UUID, PurchaseRecord] = {}
    if lost:
        # Not in the insert's statement: its snapshot may predate the claims it ran into.
        held = {r["purchase_id"]: _record(r) for r in await conn.fetch(_GET_MANY, list(lost))}
    return [
        answer if answer is not None else (False, _held(held, record.purchase_id))
        for record, answer in zip(records, answers, strict=True)
    ]


def _held(held: dict[UUID, PurchaseRecord], purchase_id: UUID) -> PurchaseRecord:
    found = held.get(purchase_id)
    if found is None:  # cannot happen: purchases are never deleted
        raise RuntimeError(f"purchase {purchase_id} neither claimed nor found")
    return found


async def save_many(
    conn: asyncpg.Connection | PoolConnectionProxy[asyncpg.Record],
    records: Sequence[PurchaseRecord],
) -> None:
    """Save many purchases in one round trip and one commit, in order (`executemany` runs the
    statements one after another, all or none)."""
    await conn.executemany(_SAVE, [_arguments(r) for r in records])
