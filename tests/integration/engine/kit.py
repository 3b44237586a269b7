"""Helpers for the engine's integration tests: topics, producing, reading back, running a runner."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from adapters.kafka.admin import ensure_topics
from adapters.kafka.consumer import new_consumer
from adapters.kafka.producer import kafka_publisher
from service.engine.publishing import Publisher
from service.engine.records import Handler
from service.engine.runner import ConsumerRunner
from service.engine.settings import EngineSettings
from service.topics import TopicSpec
from tests.support.engine_app import Ping, decode_ping

TEST_SETTINGS = EngineSettings(
    max_in_flight=200,
    batch_size=100,
    fetch_timeout_ms=50,
    event_deadline_s=3,
    max_attempts=3,
    backoff_base_s=0.01,
    backoff_cap_s=0.05,
    commit_interval_s=0.1,
    drain_deadline_s=5,
    max_poll_interval_ms=30_000,
    session_timeout_ms=6_000,
    heartbeat_interval_ms=1_000,
)


__all__ = ["Ping", "decode_ping"]


def ping(event_id: UUID, key: str, seq: int) -> bytes:
    """The bytes of a ping."""
    return json.dumps({"event_id": str(event_id), "key": key, "seq": seq}).encode()


async def create_topics(bootstrap: str, *specs: tuple[str, int]) -> None:
    """Create topics (name, partitions)."""
    await ensure_topics(bootstrap, [TopicSpec(name, parts) for name, parts in specs])


async def produce(bootstrap: str, topic: str, messages: Sequence[tuple[str | None, bytes]]) -> None:
    """Publish (key, value) pairs in order and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value, key=None if key is None else key.encode())
            for key, value in messages
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str, topic: str, *, count: int, partitions: int = 1, within_s: float = 30.0
) -> list[Any]:
    """Read `count` records of `topic` from the start, without a group; fails if fewer arrive."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        got: list[Any] = []
        async with asyncio.timeout(within_s):
            while len(got) < count:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    got.extend(records)
        return got
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: str, topic: str, *, partitions: int = 1) -> int:
    """How many records `topic` holds (sum of its partitions' end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)])
        return int(sum(ends.values()))
    finally:
        await consumer.stop()


async def committed(bootstrap: str, group: str) -> dict[int, int]:
    """The group's committed offsets per partition (topic ignored: tests use one input topic)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return {tp.partition: meta.offset for tp, meta in offsets.items()}
    finally:
        await admin.close()


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], *, within_s: float = 30.0
) -> None:
    """Poll a (plain or async) condition until it holds; fail after a generous `within_s`."""
    async with asyncio.timeout(within_s):
        while True:
            result = check()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running(
    bootstrap: str,
    prefix: str,
    handle: Handler[Ping],
    *,
    dead_letters: Publisher,
    settings: EngineSettings = TEST_SETTINGS,
) -> AsyncIterator[ConsumerRunner[Ping]]:
    """A runner on `<prefix>in` (group `<prefix>g`, letters to `<prefix>dlq`); drained on exit."""
    group = f"{prefix}g"
    runner: ConsumerRunner[Ping] = ConsumerRunner(
        consumer=new_consumer(bootstrap=bootstrap, group=group, settings=settings),
        topics=[f"{prefix}in"],
        group=group,
        decode=decode_ping,
        handle=handle,
        dead_letters=dead_letters,
        dead_letter_topic=f"{prefix}dlq",
        settings=settings,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield runner
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


@asynccontextmanager
async def serving(
    bootstrap: str, prefix: str, handle: Handler[Ping], *, settings: EngineSettings = TEST_SETTINGS
) -> AsyncIterator[ConsumerRunner[Ping]]:
    """`running`, with its own dead-letter publisher."""
    async with (
        kafka_publisher(bootstrap=bootstrap) as publisher,
        running(bootstrap, prefix, handle, dead_letters=publisher, settings=settings) as runner,
    ):
        yield runner


async def setup_lane(
    bootstrap: str,
    prefix: str,
    messages: Sequence[tuple[str | None, bytes]],
    *,
    partitions: int = 1,
) -> None:
    """Create `<prefix>in` (`partitions`) and `<prefix>dlq`; publish `messages` to the input."""
    await create_topics(bootstrap, (f"{prefix}in", partitions), (f"{prefix}dlq", 1))
    await produce(bootstrap, f"{prefix}in", messages)


def effects_at_least(pool: asyncpg.Pool, n: int) -> Callable[[], Awaitable[bool]]:
    """A condition: at least `n` distinct events have an effect row."""

    async def check() -> bool:
        return bool(await pool.fetchval("SELECT count(DISTINCT event_id) >= $1 FROM effects", n))

    return check


async def effects_by_key(pool: asyncpg.Pool) -> tuple[list[uuid.UUID], dict[str, list[int]]]:
    """Every effect's event id (one per row), and each key's sequence numbers in effect order."""
    rows = await pool.fetch("SELECT event_id, key, seq FROM effects ORDER BY id")
    by_key: dict[str, list[int]] = {}
    for row in rows:
        by_key.setdefault(row["key"], []).append(row["seq"])
    return [r["event_id"] for r in rows], by_key
