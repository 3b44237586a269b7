"""Transaction search on PostgreSQL: the console's read model joined with the purchase
ledger (state, attempts, advices), always for one institution."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

# The ledger keys purchases by uuid; a transaction id that is not one matches no purchase.
_JOIN = """
FROM console_transactions t
LEFT JOIN purchases p ON t.kind = 'PURCHASE' AND p.institution_id = t.institution_id
 AND p.purchase_id = CASE WHEN t.transaction_id ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
                          THEN t.transaction_id::uuid END
"""
_COLUMNS = """
SELECT t.kind, t.transaction_id, t.meter_number, t.requested_at, t.input::text AS input,
       t.outputs::text AS outputs, p.state, p.provider_id, p.purchase_id
"""
_SEARCH = (
    _COLUMNS
    + _JOIN
    + """
WHERE t.institution_id = $1 AND ($2::text IS NULL OR t.transaction_id = $2 OR t.meter_number = $3)
ORDER BY t.requested_at DESC LIMIT $4
"""
)
_ONE = _COLUMNS + _JOIN + "WHERE t.institution_id = $1 AND t.kind = $2 AND t.transaction_id = $3"
_ATTEMPTS = """
SELECT provider_id, operation, result, http_status, error_type, at
FROM purchase_attempts WHERE purchase_id = $1 ORDER BY id
"""
_ADVICES = """
SELECT kind, provider_id, state, attempts, last_status, last_error, reason, created_at,
       finished_at
FROM advices WHERE purchase_id = $1 ORDER BY created_at
"""


@dataclass(frozen=True, kw_only=True)
class Transaction:
    """A lookup or purchase as the console knows it."""

    kind: str
    transaction_id: str
    meter_number: str
    requested_at: datetime
    input: dict[str, Any] | None
    outputs: list[dict[str, Any]]
    state: str | None
    provider_id: str | None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    advices: list[dict[str, Any]] = field(default_factory=list)


def _transaction(row: Any) -> Transaction:
    return Transaction(
        kind=row["kind"],
        transaction_id=row["transaction_id"],
        meter_number=row["meter_number"],
        requested_at=row["requested_at"],
        input=json.loads(row["input"]) if row["input"] else None,
        outputs=json.loads(row["outputs"]),
        state=row["state"],
        provider_id=row["provider_id"],
    )


class TransactionStore:
    """Reads on the console's pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def search(
        self, institution_id: str, text: str | None, meter: str | None, *, limit: int = 50
    ) -> list[Transaction]:
        """By lookup or purchase id, or meter number; the newest first (all when no text)."""
        rows = await self._pool.fetch(_SEARCH, institution_id, text, meter, limit)
        return [_transaction(r) for r in rows]

    async def one(self, institution_id: str, kind: str, transaction_id: str) -> Transaction | None:
        """One transaction with its provider calls and advices, or None."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(_ONE, institution_id, kind, transaction_id)
            if row is None:
                return None
            found = _transaction(row)
            if row["purchase_id"] is None:
                return found
            attempts = await conn.fetch(_ATTEMPTS, row["purchase_id"])
            advices = await conn.fetch(_ADVICES, row["purchase_id"])
        found.attempts.extend(dict(a) for a in attempts)
        found.advices.extend(dict(a) for a in advices)
        return found
