"""The outbox relay on real PostgreSQL and Kafka: the committed outputs only, in order per key."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from adapters.kafka.producer import KafkaPublisher, kafka_publisher
from adapters.postgres.outbox import PgOutboxStore
from adapters.postgres.unit_of_work import PgUnitOfWorkFactory
from service.engine.relay import OutboxRelay
from service.engine.settings import RelaySettings
from service.ports.unit_of_work import InputEvent, OutboxMessage
from tests.integration.engine.kit import create_topics, eventually, read_all

pytestmark = pytest.mark.integration
FAST = RelaySettings(batch_size=5, poll_interval_s=0.1, leader_retry_s=0.1, error_backoff_s=0.1)


def _message(topic: str, key: str, seq: int) -> OutboxMessage:
    event_id = uuid.uuid4()
    payload = json.dumps(
        {"event_id": str(event_id), "key": key, "seq": seq}, sort_keys=True
    ).encode()
    return OutboxMessage(topic=topic, key=key, event_id=event_id, payload=payload)


async def _commit_outputs(
    pool: asyncpg.Pool, messages: Sequence[OutboxMessage], *, commit: bool = True
) -> None:
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group="g")
    source = InputEvent(event_id=uuid.uuid4(), topic="in", partition=0, offset=0)
    async with factory.begin(source) as uow:
        for message in messages:
            await uow.add_output(message)
        if commit:
            await uow.commit()


@asynccontextmanager
async def _relay(
    dsn: str, publisher: Any, settings: RelaySettings = FAST
) -> AsyncIterator[OutboxRelay]:
    store = PgOutboxStore(dsn)
    relay = OutboxRelay(store=store, publisher=publisher, settings=settings)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield relay
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await store.close()


async def _all_published(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"))


async def test_the_relay_publishes_exactly_the_committed_outputs_in_order_per_key(
    kafka_bootstrap: str, topic_prefix: str, pool: asyncpg.Pool, database_url: str
) -> None:
    """Committed outputs arrive once each, intact and in per-key order; rolled-back ones never."""
    topic = f"{topic_prefix}out"
    await create_topics(kafka_bootstrap, (topic, 3))
    keys = [f"m{i}" for i in range(6)]
    committed = [[_message(topic, k, seq) for k in keys] for seq in range(4)]
    for batch in committed:
        await _commit_outputs(pool, batch)
    await _commit_outputs(pool, [_message(topic, "m0", 99)], commit=False)

    async with (
        kafka_publisher(bootstrap=kafka_bootstrap) as publisher,
        _relay(database_url, publisher),
    ):
        await eventually(lambda: _all_published(pool))
    records = await read_all(kafka_bootstrap, topic, count=24, partitions=3)
    expected = {m.event_id: m for batch in committed for m in batch}
    assert len(records) == 24
    by_key: dict[str, list[int]] = {}
    for record in records:
        sent = expected[uuid.UUID(dict(record.headers)["event_id"].decode())]
        assert record.value == sent.payload
        assert record.key == sent.key.encode()  # type: ignore[union-attr]
        by_key.setdefault(sent.key or "", []).append(json.loads(record.value)["seq"])
    assert by_key == {k: [0, 1, 2, 3] for k in keys}


async def test_the_relay_wakes_on_new_rows_without_waiting_for_its_poll(
    kafka_bootstrap: str, topic_prefix: str, pool: asyncpg.Pool, database_url: str
) -> None:
    """With a poll interval far longer than the wait, only the commit's notification can wake it."""
    topic = f"{topic_prefix}out"
    await create_topics(kafka_bootstrap, (topic, 1))
    slow_poll = RelaySettings(batch_size=50, poll_interval_s=600)
    async with (
        kafka_publisher(bootstrap=kafka_bootstrap) as publisher,
        _relay(database_url, publisher, slow_poll),
    ):
        await asyncio.sleep(0.3)  # let the relay find the outbox empty and go to sleep
        await _commit_outputs(pool, [_message(topic, "m1", 0)])
        await eventually(lambda: _all_published(pool), within_s=20)


class _CrashAfterPublish:
    """Publishes through the real publisher, then hangs as if the process died before marking."""

    def __init__(self, inner: KafkaPublisher) -> None:
        self._inner = inner
        self.crashed = asyncio.Event()

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        await self._inner.publish(messages)
        self.crashed.set()
        await asyncio.Event().wait()


async def test_a_relay_crash_mid_batch_republishes_only_byte_identical_copies(
    kafka_bootstrap: str, topic_prefix: str, pool: asyncpg.Pool, database_url: str
) -> None:
    """Acknowledged, unmarked rows go out again with the same bytes and id; nothing else repeats."""
    topic = f"{topic_prefix}out"
    await create_topics(kafka_bootstrap, (topic, 1))
    messages = [_message(topic, f"m{i % 3}", i) for i in range(12)]
    await _commit_outputs(pool, messages)

    async with kafka_publisher(bootstrap=kafka_bootstrap) as publisher:
        crashing = _CrashAfterPublish(publisher)
        store = PgOutboxStore(database_url)
        task = asyncio.create_task(
            OutboxRelay(store=store, publisher=crashing, settings=FAST).run(asyncio.Event())
        )
        await asyncio.wait_for(crashing.crashed.wait(), timeout=20)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await store.close()  # the crashed process's session ends, and its leadership with it
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 12
        async with _relay(database_url, publisher):
            await eventually(lambda: _all_published(pool))

    records = await read_all(kafka_bootstrap, topic, count=17)
    copies: dict[bytes, list[bytes]] = {}
    for record in records:
        copies.setdefault(dict(record.headers)["event_id"], []).append(record.value)
    sent = {str(m.event_id).encode(): m.payload for m in messages}
    assert copies.keys() == sent.keys()
    assert all(set(values) == {sent[event_id]} for event_id, values in copies.items())
    assert (
        sorted(len(v) for v in copies.values()) == [1] * 7 + [2] * 5
    )  # the first batch of 5 twice


async def test_only_one_of_several_relays_publishes(
    kafka_bootstrap: str, topic_prefix: str, pool: asyncpg.Pool, database_url: str
) -> None:
    """Two relays run at once; the leader lock lets one publish, so no row goes out twice."""
    topic = f"{topic_prefix}out"
    await create_topics(kafka_bootstrap, (topic, 1))
    await _commit_outputs(pool, [_message(topic, "m1", i) for i in range(30)])
    async with (
        kafka_publisher(bootstrap=kafka_bootstrap) as publisher,
        _relay(database_url, publisher) as first,
        _relay(database_url, publisher) as second,
    ):
        await eventually(lambda: _all_published(pool))
        await _commit_outputs(pool, [_message(topic, "m1", i) for i in range(30, 40)])
        await eventually(lambda: _all_published(pool))
    assert sorted([first.published, second.published]) == [0, 40]
    records = await read_all(kafka_bootstrap, topic, count=40)
    assert [json.loads(r.value)["seq"] for r in records] == list(range(40))
