"""The console's reads from PostgreSQL: meters, marks recorded, meter counts, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from adapters.postgres.audit import PgAuditLog
from adapters.postgres.meters import PgMeterRepository
from service.domain.support import MeterSupport
from service.ports.meters import CreditBlock, MeterSummary

_MARK_RECORDED = """
SELECT 1 FROM audit_log
WHERE subject = $1 AND action = 'REBROADCAST_MARK' AND details->>'event_id' = $2
"""
_AUDIT = """
SELECT occurred_at, actor, action, subject, details::text AS details FROM audit_log
WHERE institution_id = $1 OR starts_with(actor, $2)
ORDER BY id DESC LIMIT $3
"""


@dataclass(frozen=True, kw_only=True)
class MeterState:
    """A meter as stored, with the institution's routing block and any credit-control block."""

    meter: MeterSupport
    routing_blocked: bool
    credit_block: CreditBlock | None


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One audit log row."""

    occurred_at: datetime
    actor: str
    action: str
    subject: str
    details: str


class ConsoleStore:
    """Read-only queries on the switch's pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def search(self, prefix: str, *, limit: int) -> list[MeterSummary]:
        """Meters whose normalised number starts with `prefix`."""
        async with self._pool.acquire() as conn:
            return await PgMeterRepository(conn).search(prefix, limit=limit)

    async def meter(self, meter_number: str, institution_id: str) -> MeterState | None:
        """The meter as last committed, or None when the switch has never seen it."""
        async with self._pool.acquire() as conn:
            repo = PgMeterRepository(conn)
            meter = await repo.get(meter_number)
            if meter is None:
                return None
            return MeterState(
                meter=meter,
                routing_blocked=await repo.routing_blocked(meter_number, institution_id),
                credit_block=await repo.credit_block(meter_number),
            )

    async def mark_recorded(self, meter_number: str, event_id: str) -> bool:
        """Tell whether the switch has applied the MARK event `event_id`."""
        async with self._pool.acquire() as conn:
            return await conn.fetchval(_MARK_RECORDED, meter_number, event_id) is not None

    async def meter_counts(self) -> dict[str | None, int]:
        """How many meters each utility id has (None: Unassigned)."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch("SELECT utility_id, count(*) AS n FROM meters GROUP BY 1")
        return {r["utility_id"]: r["n"] for r in rows}

    async def audit(self, institution_id: str, *, limit: int = 100) -> list[AuditEntry]:
        """The institution's entries, newest first: its routing changes and its users' marks."""
        async with self._pool.acquire() as conn:
            rows: list[Any] = await conn.fetch(_AUDIT, institution_id, f"{institution_id}/", limit)
        return [AuditEntry(**dict(r)) for r in rows]

    async def record_audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        institution_id: str | None,
        details: dict[str, Any],
    ) -> None:
        """Append one console entry to the audit log."""
        await PgAuditLog(self._pool).record(
            actor=actor,
            action=action,
            subject=subject,
            institution_id=institution_id,
            details=details,
        )
