"""The PostgreSQL unit of work: all or nothing, and each input event applied at most once."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import asyncpg
import pytest

from adapters.postgres.store import PgSwitchStore
from adapters.postgres.unit_of_work import PgUnitOfWorkFactory, claim_events
from service.engine.errors import PermanentError
from service.ports.unit_of_work import AlreadyAppliedError, EventClaim, InputEvent, OutboxMessage

pytestmark = pytest.mark.integration


async def claim_event(pool: asyncpg.Pool, source: InputEvent, *, group: str) -> EventClaim:
    """One event's claim, as the store makes it (in a batch of one)."""
    (claim,) = await claim_events(pool, [source], group=group)
    return claim


def _input() -> InputEvent:
    return InputEvent(event_id=uuid.uuid4(), topic="in", partition=0, offset=7)


def _output(key: str = "m1") -> OutboxMessage:
    return OutboxMessage(topic="out", key=key, event_id=uuid.uuid4(), payload=b'{"a":1}')


async def _apply(factory: PgUnitOfWorkFactory, source: InputEvent, *, commit: bool = True) -> bool:
    async with factory.begin(source) as uow:
        if uow.already_applied:
            return False
        await uow.connection.execute(
            "INSERT INTO effects (event_id, key, seq, instance) VALUES ($1, 'm1', 0, 't')",
            source.event_id,
        )
        await uow.add_output(_output())
        if commit:
            await uow.commit()
    return True


async def _counts(pool: asyncpg.Pool) -> tuple[int, int, int]:
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM effects) e, (SELECT count(*) FROM outbox) o,"
        " (SELECT count(*) FROM processed_events) p"
    )
    assert row is not None
    return row["e"], row["o"], row["p"]


async def test_a_committed_unit_writes_state_outputs_and_the_processed_mark(
    pool: asyncpg.Pool,
) -> None:
    """State, outbox row (exact bytes) and processed mark appear together."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    source = _input()
    assert await _apply(factory, source)
    assert await _counts(pool) == (1, 1, 1)
    row = await pool.fetchrow("SELECT topic, key, payload, published_at FROM outbox")
    assert row is not None
    assert (row["topic"], row["key"], row["payload"], row["published_at"]) == (
        "out",
        "m1",
        b'{"a":1}',
        None,
    )


async def test_an_error_inside_the_unit_leaves_neither_state_nor_outbox_rows(
    pool: asyncpg.Pool,
) -> None:
    """A handler that fails mid-way rolls everything back; the event can be applied later."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    source = _input()

    async def fail_midway() -> None:
        async with factory.begin(source) as uow:
            await uow.connection.execute(
                "INSERT INTO effects (event_id, key, seq, instance) VALUES ($1, 'm1', 0, 't')",
                source.event_id,
            )
            await uow.add_output(_output())
            raise RuntimeError("provider fell over")

    with pytest.raises(RuntimeError, match="provider fell over"):
        await fail_midway()
    assert await _counts(pool) == (0, 0, 0)
    assert await _apply(factory, source)
    assert await _counts(pool) == (1, 1, 1)


async def test_leaving_without_commit_rolls_back(pool: asyncpg.Pool) -> None:
    """Forgetting commit() writes nothing, not even the processed mark."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    await _apply(factory, _input(), commit=False)
    assert await _counts(pool) == (0, 0, 0)


async def test_an_event_applied_before_is_reported_and_writes_nothing(pool: asyncpg.Pool) -> None:
    """The redelivered event is told it was applied; outputs are refused."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    source = _input()
    assert await _apply(factory, source)
    assert not await _apply(factory, source)
    async with factory.begin(source) as uow:
        assert uow.already_applied
        with pytest.raises(AlreadyAppliedError):
            await uow.add_output(_output())
        await uow.commit()
    assert await _counts(pool) == (1, 1, 1)


async def test_another_consumer_group_applies_the_event_for_itself(pool: asyncpg.Pool) -> None:
    """Processed marks are per consumer group."""
    source = _input()
    assert await _apply(PgUnitOfWorkFactory(pool=pool, consumer_group="g1"), source)
    assert await _apply(PgUnitOfWorkFactory(pool=pool, consumer_group="g2"), source)
    assert await _counts(pool) == (2, 2, 2)


async def test_two_concurrent_units_for_one_event_apply_it_once(pool: asyncpg.Pool) -> None:
    """A straggler and the new owner race: the second waits for the first and sees it applied."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    source = _input()
    first_inside = asyncio.Event()
    let_first_commit = asyncio.Event()

    async def first() -> bool:
        async with factory.begin(source) as uow:
            first_inside.set()
            await let_first_commit.wait()
            await uow.add_output(_output())
            await uow.commit()
            return not uow.already_applied

    task = asyncio.create_task(first())
    await first_inside.wait()
    second = asyncio.create_task(_apply(factory, source))
    await asyncio.sleep(0.2)
    assert not second.done()  # blocked on the first's processed mark
    let_first_commit.set()
    assert await task
    assert not await second
    assert await _counts(pool) == (0, 1, 1)


async def test_an_output_event_id_used_twice_is_a_permanent_error(pool: asyncpg.Pool) -> None:
    """A duplicate output id is a bug that no retry fixes; nothing of the unit is kept."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    duplicate = _output()

    async def emit() -> None:
        async with factory.begin(_input()) as uow:
            await uow.add_output(duplicate)
            await uow.commit()

    await emit()
    with pytest.raises(PermanentError, match="outbox write rejected"):
        await emit()
    assert await _counts(pool) == (0, 1, 1)


async def test_held_back_writes_are_seen_by_later_reads_and_kept_in_order(
    pool: asyncpg.Pool,
) -> None:
    """Writes wait for the next round trip, yet a read inside the unit sees every earlier write,
    and a later write to the same table is applied after the earlier one."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    source = _input()
    async with factory.begin(source) as uow:
        await uow.connection.execute(
            "INSERT INTO effects (event_id, key, seq, instance) VALUES ($1, 'm1', 0, 't')",
            source.event_id,
        )
        seen = await uow.connection.fetchval("SELECT count(*) FROM effects")
        await uow.connection.execute(
            "UPDATE effects SET seq = seq + 1 WHERE event_id = $1", source.event_id
        )
        await uow.connection.execute(
            "UPDATE effects SET seq = seq * 10 WHERE event_id = $1", source.event_id
        )
        await uow.add_output(_output())
        await uow.commit()
    assert seen == 1
    assert await pool.fetchval("SELECT seq FROM effects") == 10
    assert await _counts(pool) == (1, 1, 1)


async def test_a_topic_or_group_with_a_quote_is_stored_as_given(pool: asyncpg.Pool) -> None:
    """The processed mark travels with BEGIN as literals: quoting must keep them intact."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="o'brien\\g")
    source = InputEvent(event_id=uuid.uuid4(), topic="it's", partition=3, offset=99)
    assert await _apply(factory, source)
    assert not await _apply(factory, source)
    row = await pool.fetchrow(
        'SELECT consumer_group, topic, "partition", "offset" FROM processed_events'
    )
    assert row is not None
    assert tuple(row) == ("o'brien\\g", "it's", 3, 99)


def _hashed(body: bytes, event_id: uuid.UUID | None = None) -> InputEvent:
    return InputEvent(
        event_id=event_id or uuid.uuid4(),
        topic="in",
        partition=0,
        offset=7,
        content_sha256=hashlib.sha256(body).digest(),
    )


async def test_rule_21_a_claim_tells_new_resumed_replayed_and_reused_events_apart(
    pool: asyncpg.Pool,
) -> None:
    """New, then new again until applied (a crash resumes), then a replay; other bytes: reused."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    first = _hashed(b"one")
    assert await claim_event(pool, first, group="g") is EventClaim.NEW
    assert await claim_event(pool, first, group="g") is EventClaim.NEW  # not applied yet
    assert await _apply(factory, first)
    assert await claim_event(pool, first, group="g") is EventClaim.REPLAY
    other = _hashed(b"two", first.event_id)
    assert await claim_event(pool, other, group="g") is EventClaim.REUSED
    assert await claim_event(pool, first, group="other-group") is EventClaim.NEW
    assert not await _apply(factory, first)  # the mark still says applied
    reanswer = other.reanswer()
    assert reanswer.event_id != other.event_id
    assert reanswer == other.reanswer()  # the same id however often it is redelivered
    assert await _apply(factory, reanswer)


async def test_rule_21_concurrent_claims_of_one_id_with_two_contents_give_one_owner(
    pool: asyncpg.Pool,
) -> None:
    """Two instances claiming the same event id with different bytes at once: one is reused."""
    event_id = uuid.uuid4()
    claims = await asyncio.gather(
        *(claim_event(pool, _hashed(body, event_id), group="g") for body in (b"a", b"b"))
    )
    assert sorted(claims) == sorted([EventClaim.NEW, EventClaim.REUSED])


async def test_rule_21_claims_made_together_answer_as_each_would_alone(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Claims coalesced into one statement: a new id, a replay, a reuse, and the same id twice
    in one batch (a redelivery fetched beside its original) each get their own answer."""
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    applied = _hashed(b"applied")
    assert await claim_event(pool, applied, group="g") is EventClaim.NEW
    assert await _apply(factory, applied)
    fresh, twin = _hashed(b"fresh"), _hashed(b"twin")
    batch = [fresh, applied, _hashed(b"other", applied.event_id), twin, twin]
    assert await claim_events(pool, batch, group="g") == [
        EventClaim.NEW,
        EventClaim.REPLAY,
        EventClaim.REUSED,
        EventClaim.NEW,
        EventClaim.NEW,  # claimed, not applied: its unit of work decides who applies it
    ]
    store = PgSwitchStore(pool=pool, consumer_group="g")
    many = [_hashed(str(n).encode()) for n in range(40)]
    answers = await asyncio.gather(*(store.claim_event(s) for s in many))
    assert answers == [EventClaim.NEW] * 40
    assert await asyncio.gather(*(store.claim_event(s) for s in many[:3])) == [EventClaim.NEW] * 3
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer_group = 'g'"
            " AND event_id = ANY($1::uuid[])",
            [s.event_id for s in many],
        )
    finally:
        await conn.close()
    assert stored == 40
