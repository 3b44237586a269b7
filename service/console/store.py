"""The console's reads from PostgreSQL, always for one institution: its meters (those it has
looked up or bought for), meter counts, marks recorded, and its audit log.
"""

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
# A prefix is the key range [prefix, successor) of the sightings' primary key: no pattern,
# so '%' or '_' typed match only themselves.
_SEARCH = """
SELECT s.meter_number, m.utility_id FROM console_meter_sightings s
JOIN meters m ON m.meter_number = s.meter_number
WHERE s.institution_id = $1 AND s.meter_number >= $2 AND ($3::text IS NULL OR s.meter_number < $3)
ORDER BY s.meter_number LIMIT $4
"""
_AUDITED_SINCE = """
SELECT 1 FROM audit_log
WHERE actor = $1 AND action = $2 AND occurred_at > now() - make_interval(secs => $3) LIMIT 1
"""
_SEEN = "SELECT 1 FROM console_meter_sightings WHERE institution_id = $1 AND meter_number = $2"
_COUNTS = """
SELECT m.utility_id, count(*) AS n FROM console_meter_sightings s
JOIN meters m ON m.meter_number = s.meter_number
WHERE s.institution_id = $1 GROUP BY 1
"""
# Exact matches only: the institution's own entries and its users' actions. Each MARK comes
# with the first CLEARED of the same meter after it, if the switch has cleared it since.
_AUDIT = """
SELECT a.occurred_at, a.actor, a.action, a.subject, a.details::text AS details,
       c.cleared_at, c.reason AS cleared_reason
FROM audit_log a
LEFT JOIN LATERAL (
    SELECT cleared_at, reason FROM console_rebroadcast_clears
    WHERE a.action = 'REBROADCAST_MARK' AND meter_number = a.subject
      AND cleared_at >= a.occurred_at
    ORDER BY cleared_at LIMIT 1
) c ON true
WHERE a.institution_id = $1 OR a.actor = ANY($2::text[])
ORDER BY a.id DESC LIMIT $3
"""


def _successor(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (None: no bound)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None


@dataclass(frozen=True, kw_only=True)
class MeterState:
    """A meter as stored, with the institution's routing block and any credit-control block."""

    meter: MeterSupport
    routing_blocked: bool
    credit_block: CreditBlock | None


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One audit log row; a MARK carries the CLEARED that followed it, if any."""

    occurred_at: datetime
    actor: str
    action: str
    subject: str
    details: str
    cleared_at: datetime | None = None
    cleared_reason: str | None = None


class ConsoleStore:
    """Queries on the console's pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def search(self, institution_id: str, prefix: str, *, limit: int) -> list[MeterSummary]:
        """The institution's meters whose normalised number starts with `prefix`."""
        rows = await self._pool.fetch(_SEARCH, institution_id, prefix, _successor(prefix), limit)
        return [
            MeterSummary(meter_number=r["meter_number"], utility_id=r["utility_id"]) for r in rows
        ]

    async def meter(self, meter_number: str, institution_id: str) -> MeterState | None:
        """The meter as last committed, or None unless the institution has seen it."""
        async with self._pool.acquire() as conn:
            if await conn.fetchval(_SEEN, institution_id, meter_number) is None:
                return None
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
        return await self._pool.fetchval(_MARK_RECORDED, meter_number, event_id) is not None

    async def meter_counts(self, institution_id: str) -> dict[str | None, int]:
        """How many of the institution's meters each utility id has (None: Unassigned)."""
        rows = await self._pool.fetch(_COUNTS, institution_id)
        return {r["utility_id"]: r["n"] for r in rows}

    async def audit(
        self, institution_id: str, actors: list[str], *, limit: int = 200
    ) -> list[AuditEntry]:
        """The institution's entries and its users' (exact actor names), newest first."""
        rows: list[Any] = await self._pool.fetch(_AUDIT, institution_id, actors, limit)
        return [AuditEntry(**dict(r)) for r in rows]

    async def audited_since(self, actor: str, action: str, *, within_s: float) -> bool:
        """Whether `actor` has an `action` entry from the last `within_s` seconds."""
        found = await self._pool.fetchval(_AUDITED_SINCE, actor, action, float(within_s))
        return found is not None

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
