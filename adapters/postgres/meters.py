"""The meter repository on PostgreSQL (asyncpg), bound to one connection/transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import asyncpg

from adapters.postgres.connection import Connection
from adapters.postgres.meter_snapshot import Locked, Report, changed_support, reports_of
from service.domain.support import MeterSupport, ProviderSupport, RebroadcastFlag, SupportStatus
from service.domain.utility import ReceiverReport
from service.ports.meters import CreditBlock, MeterSummary

# Meters with their support rows, any number in one round trip. Support rows are matched to the
# wanted number, not to the meter row's: meters' column has the C collation, and comparing
# across collations cannot use the index. Locking uses ppu_lock_meter (migrations 006, 015),
# which reads the support rows only once the lock is held.
_METERS = """
SELECT m.meter_number, m.utility_id, m.last_broadcast_at, m.flag_requested_by,
       m.flag_requested_at, m.flag_reason, s.provider_ids, s.statuses, s.responded_at
FROM unnest($1::text[]) AS wanted(n)
JOIN meters m ON m.meter_number = wanted.n
CROSS JOIN LATERAL (
    SELECT array_agg(provider_id ORDER BY provider_id) AS provider_ids,
           array_agg(status ORDER BY provider_id) AS statuses,
           array_agg(last_response_at ORDER BY provider_id) AS responded_at
    FROM meter_support WHERE meter_support.meter_number = wanted.n
) s
"""
_LOCK = "SELECT * FROM ppu_lock_meter($1)"
_UPSERT_METER = """
INSERT INTO meters (meter_number, utility_id, last_broadcast_at, flag_requested_by,
                    flag_requested_at, flag_reason)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (meter_number) DO UPDATE SET
    utility_id = EXCLUDED.utility_id, last_broadcast_at = EXCLUDED.last_broadcast_at,
    flag_requested_by = EXCLUDED.flag_requested_by,
    flag_requested_at = EXCLUDED.flag_requested_at, flag_reason = EXCLUDED.flag_reason,
    updated_at = now()
"""
# Under the lock the row exists (ppu_lock_meter created it), so a change is a plain update.
_UPDATE_METER = """
UPDATE meters SET utility_id = $2, last_broadcast_at = $3, flag_requested_by = $4,
    flag_requested_at = $5, flag_reason = $6, updated_at = now()
WHERE meter_number = $1
"""
_UPSERT_SUPPORT = """
INSERT INTO meter_support (meter_number, provider_id, status, last_response_at)
SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[])
ON CONFLICT (meter_number, provider_id) DO UPDATE SET
    status = EXCLUDED.status, last_response_at = EXCLUDED.last_response_at
"""
_SET_BLOCK = """
INSERT INTO meter_routing_blocks (meter_number, institution_id, blocked, changed_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (meter_number, institution_id) DO UPDATE SET
    blocked = EXCLUDED.blocked, changed_at = EXCLUDED.changed_at
"""
_UTILITY_REPORTS = """
INSERT INTO meter_utility_reports
    (meter_number, provider_id, receiver_id, receiver_name, utility_id, reported_at)
SELECT $1, p, rid, rname, u, $6
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS r(p, rid, rname, u)
ON CONFLICT (meter_number, provider_id) DO UPDATE SET
    receiver_id = EXCLUDED.receiver_id, receiver_name = EXCLUDED.receiver_name,
    utility_id = EXCLUDED.utility_id, reported_at = EXCLUDED.reported_at
"""
# A prefix is the key range [prefix, successor): no pattern, so '%' or '_' typed into the
# search box match only themselves, and the primary key (C collation) serves it in order.
_SEARCH = """
SELECT meter_number, utility_id FROM meters
WHERE meter_number >= $1 AND ($2::text IS NULL OR meter_number < $2)
ORDER BY meter_number LIMIT $3
"""


def _successor(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (None: no bound)."""
    if not prefix:
        return None
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _support(row: asyncpg.Record) -> Iterable[tuple[str, str, datetime | None]]:
    """The support columns aggregated as arrays (NULL when the meter has no support rows)."""
    return zip(
        row["provider_ids"] or (),
        row["statuses"] or (),
        row["responded_at"] or (),
        strict=True,
    )


def _row(meter: MeterSupport) -> tuple[object, ...]:
    """The `meters` columns the switch writes, in `_UPSERT_METER`'s order."""
    flag = meter.flag
    return (
        meter.meter_number,
        meter.utility_id,
        meter.last_broadcast_at,
        flag.requested_by if flag else None,
        flag.requested_at if flag else None,
        flag.reason if flag else None,
    )


def _meter(
    row: asyncpg.Record, support: Iterable[tuple[str, str, datetime | None]]
) -> MeterSupport:
    flag = None
    if row["flag_requested_by"] is not None:
        flag = RebroadcastFlag(
            requested_by=row["flag_requested_by"],
            requested_at=row["flag_requested_at"],
            reason=row["flag_reason"],
        )
    return MeterSupport(
        meter_number=row["meter_number"],
        providers=tuple(
            ProviderSupport(
                provider_id=provider_id, status=SupportStatus(status), last_response_at=at
            )
            for provider_id, status, at in support
        ),
        utility_id=row["utility_id"],
        last_broadcast_at=row["last_broadcast_at"],
        flag=flag,
    )


class PgMeterRepository:
    """Meter state in the `meters`, `meter_support` and `meter_routing_blocks` tables."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        # Per locked meter, what is stored now: read with the lock (migrations 014, 015) and
        # kept current by this repository's own writes, the only ones while the lock is held.
        # Writes compare with it and send only what changed.
        self._locked: dict[str, Locked] = {}

    async def get(self, meter_number: str) -> MeterSupport | None:
        """The meter as last saved, or None when never seen."""
        return (await self.get_many([meter_number])).get(meter_number)

    async def get_many(self, meter_numbers: Sequence[str]) -> dict[str, MeterSupport]:
        """The saved meters among `meter_numbers`, by number, in one round trip."""
        rows = await self._conn.fetch(_METERS, list(meter_numbers))
        return {r["meter_number"]: _meter(r, _support(r)) for r in rows}

    async def lock(self, meter_number: str) -> MeterSupport:
        """Create if new, then hold the row lock so lookups, purchases and marks serialise."""
        row = await self._conn.fetchrow(_LOCK, meter_number)
        assert row is not None  # the function always returns the inserted or locked row
        meter = _meter(row, _support(row))
        self._locked[meter_number] = Locked(
            meter=meter, blocked_for=set(row["blocked_for"]), reports=reports_of(row)
        )
        return meter

    async def save(self, meter: MeterSupport) -> None:
        """Write the meter row and the support rows that differ from what is stored."""
        locked = self._locked.get(meter.meter_number)
        if locked is None:
            await self._write(meter, _UPSERT_METER, meter.providers)
            return
        before, locked.meter = locked.meter, meter
        meter_changed = _row(meter) != _row(before)
        await self._write(
            meter, _UPDATE_METER if meter_changed else None, changed_support(before, meter)
        )

    async def _write(
        self, meter: MeterSupport, meter_sql: str | None, support: Sequence[ProviderSupport]
    ) -> None:
        if meter_sql is not None:
            await self._conn.execute(meter_sql, *_row(meter))
        if support:
            await self._conn.execute(
                _UPSERT_SUPPORT,
                meter.meter_number,
                [p.provider_id for p in support],
                [p.status.value for p in support],
                [p.last_response_at for p in support],
            )

    async def routing_blocked(self, meter_number: str, institution_id: str) -> bool:
        """Whether the last announcement for this institution was "blocked"."""
        if (locked := self._locked.get(meter_number)) is not None:
            return institution_id in locked.blocked_for
        blocked = await self._conn.fetchval(
            "SELECT blocked FROM meter_routing_blocks"
            " WHERE meter_number = $1 AND institution_id = $2",
            meter_number,
            institution_id,
        )
        return bool(blocked)

    async def set_routing_blocked(
        self, meter_number: str, institution_id: str, *, blocked: bool, at: datetime
    ) -> None:
        """Record the announced routing block state."""
        await self._conn.execute(_SET_BLOCK, meter_number, institution_id, blocked, at)
        if (locked := self._locked.get(meter_number)) is not None:
            (locked.blocked_for.add if blocked else locked.blocked_for.discard)(institution_id)

    async def record_utility_reports(
        self,
        meter_number: str,
        reports: Sequence[ReceiverReport],
        *,
        utility_ids: Sequence[str | None],
        at: datetime,
    ) -> None:
        """Keep each provider's receiver naming and the utility it mapped to."""
        given = [
            (r.provider_id, Report(r.receiver_id, r.receiver_name, u))
            for r, u in zip(reports, utility_ids, strict=True)
        ]
        if (locked := self._locked.get(meter_number)) is not None:
            given = [(p, r) for p, r in given if locked.reports.get(p) != r]
            locked.reports.update(given)
        if not given:
            return
        await self._conn.execute(
            _UTILITY_REPORTS,
            meter_number,
            [p for p, _ in given],
            [r.receiver_id for _, r in given],
            [r.receiver_name for _, r in given],
            [r.utility_id for _, r in given],
            at,
        )

    async def credit_block(self, meter_number: str) -> CreditBlock | None:
        """The municipality's block seen on the last purchase, if any."""
        row = await self._conn.fetchrow(
            "SELECT credit_block_provider_id, credit_block_seen_at FROM meters"
            " WHERE meter_number = $1",
            meter_number,
        )
        if row is None or row["credit_block_provider_id"] is None:
            return None
        return CreditBlock(
            provider_id=row["credit_block_provider_id"], seen_at=row["credit_block_seen_at"]
        )

    async def search(self, prefix: str, *, limit: int) -> list[MeterSummary]:
        """Meters starting with `prefix` (an index range scan), in number order."""
        rows = await self._conn.fetch(_SEARCH, prefix, _successor(prefix), limit)
        return [
            MeterSummary(meter_number=r["meter_number"], utility_id=r["utility_id"]) for r in rows
        ]
