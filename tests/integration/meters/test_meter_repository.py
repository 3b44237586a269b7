"""The meter repository on a real PostgreSQL: round trips, row locks, prefix search."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from adapters.postgres.meters import _METERS, PgMeterRepository
from service.domain.support import MeterSupport, ProviderSupport, RebroadcastFlag, SupportStatus
from service.domain.utility import ReceiverReport

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


async def test_a_saved_meter_reads_back_whole(database_url: str) -> None:
    """Support per provider, utility, broadcast time and flag survive a save and a get."""
    meter = MeterSupport(
        meter_number="01234567890",
        providers=(
            ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED, last_response_at=T0),
            ProviderSupport(provider_id="B", status=SupportStatus.UNCONFIRMED),
        ),
        utility_id="ESKOM",
        last_broadcast_at=T0,
        flag=RebroadcastFlag(requested_by="ops@retail", requested_at=T0, reason="blocked"),
    )
    conn = await asyncpg.connect(database_url)
    try:
        repo = PgMeterRepository(conn)
        assert await repo.get(meter.meter_number) is None
        await repo.save(meter)
        assert await repo.get(meter.meter_number) == meter
        cleared = MeterSupport(meter_number=meter.meter_number, providers=meter.providers)
        await repo.save(cleared)
        assert await repo.get(meter.meter_number) == cleared
    finally:
        await conn.close()


async def test_routing_blocks_are_kept_per_institution(database_url: str) -> None:
    """A meter blocked for one institution is not blocked for another."""
    conn = await asyncpg.connect(database_url)
    try:
        repo = PgMeterRepository(conn)
        await repo.lock("M1")
        await repo.set_routing_blocked("M1", "I1", blocked=True, at=T0)
        assert await repo.routing_blocked("M1", "I1")
        assert not await repo.routing_blocked("M1", "I2")
        await repo.set_routing_blocked("M1", "I1", blocked=False, at=T0 + timedelta(minutes=1))
        assert not await repo.routing_blocked("M1", "I1")
        assert await repo.credit_block("M1") is None
    finally:
        await conn.close()


async def test_lock_serialises_two_transactions_on_one_meter(database_url: str) -> None:
    """While one transaction holds the meter, another's lock waits until it commits, and then
    sees what it committed, support rows included (read after the wait, not before it)."""
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        tx = first.transaction()
        await tx.start()
        await PgMeterRepository(first).lock("M2")
        async with second.transaction():
            waiter = asyncio.create_task(PgMeterRepository(second).lock("M2"))
            await asyncio.sleep(0.3)
            assert not waiter.done()
            support = (ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED),)
            await PgMeterRepository(first).save(
                MeterSupport(meter_number="M2", utility_id="CPT", providers=support)
            )
            await tx.commit()
            seen = await asyncio.wait_for(waiter, 10)
        assert seen.utility_id == "CPT"
        assert seen.providers == support
    finally:
        await first.close()
        await second.close()


async def test_utility_reports_are_kept_per_provider(database_url: str) -> None:
    """What each provider called the utility is stored beside what it mapped to."""
    conn = await asyncpg.connect(database_url)
    try:
        repo = PgMeterRepository(conn)
        await repo.lock("M3")
        reports = [
            ReceiverReport(provider_id="A", receiver_name="City Power"),
            ReceiverReport(provider_id="B", receiver_id="X9", receiver_name="Mystery"),
        ]
        await repo.record_utility_reports("M3", reports, utility_ids=["COJ", None], at=T0)
        rows = await conn.fetch(
            "SELECT provider_id, utility_id FROM meter_utility_reports ORDER BY provider_id"
        )
        assert [(r["provider_id"], r["utility_id"]) for r in rows] == [("A", "COJ"), ("B", None)]
    finally:
        await conn.close()


async def _versions(conn: asyncpg.Connection, meter_number: str) -> dict[str, int]:
    """Each stored row's version (xmin): a write makes a new one, a row lock does not."""
    rows = await conn.fetch(
        "SELECT 'meter' AS k, xmin::text::bigint AS v FROM meters WHERE meter_number = $1"
        " UNION ALL SELECT 'support ' || provider_id, xmin::text::bigint FROM meter_support"
        " WHERE meter_number = $1"
        " UNION ALL SELECT 'report ' || provider_id, xmin::text::bigint"
        " FROM meter_utility_reports WHERE meter_number = $1",
        meter_number,
    )
    return {r["k"]: r["v"] for r in rows}


async def test_under_the_lock_only_what_changed_is_written(database_url: str) -> None:
    """Locking a known meter and saving it with one provider's new answer rewrites that one
    support row: not the meter row, not the other providers', not an unchanged utility report;
    a changed meter row and a changed report are written."""
    support = (
        ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED, last_response_at=T0),
        ProviderSupport(provider_id="B", status=SupportStatus.NOT_SUPPORTED, last_response_at=T0),
    )
    meter = MeterSupport(meter_number="M9", providers=support, utility_id="COJ")
    reports = [ReceiverReport(provider_id=p, receiver_name="City Power") for p in "AB"]
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            repo = PgMeterRepository(conn)
            await repo.lock("M9")
            await repo.save(meter)
            await repo.record_utility_reports("M9", reports, utility_ids=["COJ"] * 2, at=T0)
        before = await _versions(conn, "M9")
        later = T0 + timedelta(minutes=5)
        answered = (
            replace(support[0], last_response_at=later),
            support[1],
        )
        async with conn.transaction():
            repo = PgMeterRepository(conn)
            locked = await repo.lock("M9")
            assert locked == meter
            await repo.save(replace(meter, providers=answered))
            renamed = [reports[0], ReceiverReport(provider_id="B", receiver_name="Joburg")]
            await repo.record_utility_reports("M9", renamed, utility_ids=["COJ"] * 2, at=later)
        after = await _versions(conn, "M9")
        assert after["meter"] == before["meter"]
        assert after["support B"] == before["support B"]
        assert after["report A"] == before["report A"]
        assert after["support A"] != before["support A"]
        assert after["report B"] != before["report B"]
        assert await repo.get("M9") == replace(meter, providers=answered)
        async with conn.transaction():
            repo = PgMeterRepository(conn)
            await repo.lock("M9")
            await repo.save(replace(meter, providers=answered, utility_id="CPT"))
        assert (await _versions(conn, "M9"))["meter"] != after["meter"]
        assert (await repo.get("M9")).utility_id == "CPT"  # type: ignore[union-attr]
    finally:
        await conn.close()


async def _numbered_meters(conn: asyncpg.Connection, count: int) -> None:
    """Meters 00000000001, 00000000002, ... (11 digits), enough for the planner to use an index."""
    await conn.execute(
        "INSERT INTO meters (meter_number) SELECT lpad(g::text, 11, '0')"
        " FROM generate_series(1, $1::int) g",
        count,
    )


async def test_prefix_search_is_an_index_scan_and_treats_wildcards_literally(
    database_url: str,
) -> None:
    """Typed prefixes find meters in order via the index; '%' and '_' match only themselves."""
    conn = await asyncpg.connect(database_url)
    try:
        await _numbered_meters(conn, 50000)
        await conn.execute("INSERT INTO meters (meter_number) VALUES ('A_1'), ('AB1'), ('50%off')")
        await conn.execute("ANALYZE meters")
        repo = PgMeterRepository(conn)
        hits = await repo.search("0000001234", limit=20)
        assert [h.meter_number for h in hits] == [f"0000001234{i}" for i in range(10)]
        assert [h.meter_number for h in await repo.search("A_", limit=5)] == ["A_1"]
        assert [h.meter_number for h in await repo.search("50%", limit=5)] == ["50%off"]
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute(
            "PREPARE s(text, text, int) AS SELECT meter_number FROM meters WHERE meter_number >= $1"
            " AND ($2::text IS NULL OR meter_number < $2) ORDER BY meter_number LIMIT $3"
        )
        rows = await conn.fetch("EXPLAIN EXECUTE s('0000001234', '0000001235', 20)")
        plan = "\n".join(r[0] for r in rows)
        assert "Index" in plan
        assert "Seq Scan" not in plan
    finally:
        await conn.close()


async def test_reading_a_meter_reaches_its_support_rows_through_the_index(
    database_url: str,
) -> None:
    """The one-statement read must not scan every support row (a collation mismatch did)."""
    conn = await asyncpg.connect(database_url)
    try:
        await _numbered_meters(conn, 20000)
        await conn.execute(
            "INSERT INTO meter_support (meter_number, provider_id, status)"
            " SELECT meter_number, p, 'SUPPORTED' FROM meters, unnest(ARRAY['A', 'B', 'C']) p"
        )
        await conn.execute("ANALYZE meters")
        await conn.execute("ANALYZE meter_support")
        read = await PgMeterRepository(conn).get("00000001234")
        assert read is not None
        assert [p.provider_id for p in read.providers] == ["A", "B", "C"]
        many = await PgMeterRepository(conn).get_many(["00000001234", "00000000007", "nope"])
        assert sorted(many) == ["00000000007", "00000001234"]
        assert many["00000001234"] == read
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE n(text[]) AS {_METERS}")
        plan = "\n".join(
            r[0] for r in await conn.fetch("EXPLAIN EXECUTE n('{00000001234,00000000007}')")
        )
        assert "meter_support_pkey" in plan
        assert "Seq Scan" not in plan
    finally:
        await conn.close()


async def test_the_lock_reads_the_blocks_its_previous_holder_committed(database_url: str) -> None:
    """A block announced by the previous lock holder is what the next holder's repository
    answers, though it learnt it with the lock rather than with a query of its own."""
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        tx = first.transaction()
        await tx.start()
        holder = PgMeterRepository(first)
        await holder.lock("M3")
        async with second.transaction():
            next_holder = PgMeterRepository(second)
            waiter = asyncio.create_task(next_holder.lock("M3"))
            await asyncio.sleep(0.3)
            await holder.set_routing_blocked("M3", "I1", blocked=True, at=T0)
            await tx.commit()
            await asyncio.wait_for(waiter, 10)
            assert await next_holder.routing_blocked("M3", "I1")
            assert not await next_holder.routing_blocked("M3", "I2")
            await next_holder.set_routing_blocked("M3", "I1", blocked=False, at=T0)
            assert not await next_holder.routing_blocked("M3", "I1")
        assert not await PgMeterRepository(first).routing_blocked("M3", "I1")
    finally:
        await first.close()
        await second.close()
