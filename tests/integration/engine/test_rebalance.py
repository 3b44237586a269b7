"""Rebalance between two runners in one group: no event lost, none applied twice."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AbstractAsyncContextManager, AsyncExitStack

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PgUnitOfWorkFactory
from service.engine.runner import ConsumerRunner
from tests.integration.engine.kit import (
    Ping,
    create_topics,
    effects_at_least,
    effects_by_key,
    eventually,
    ping,
    produce,
    serving,
)
from tests.support.engine_app import effect_handler

pytestmark = pytest.mark.integration
KEYS = [f"m{i}" for i in range(60)]
ROUNDS = 25


async def _stream(bootstrap: str, topic: str, events: dict[uuid.UUID, tuple[str, int]]) -> None:
    """Publish one event per key per round, paced, so work is in flight through every rebalance."""
    for seq in range(ROUNDS):
        batch = {uuid.uuid4(): (k, seq) for k in KEYS}
        events.update(batch)
        await produce(bootstrap, topic, [(k, ping(e, k, s)) for e, (k, s) in batch.items()])
        await asyncio.sleep(0.15)


async def test_two_instances_share_the_partitions_without_losing_or_repeating_effects(
    kafka_bootstrap: str, topic_prefix: str, pool: asyncpg.Pool
) -> None:
    """A runs alone, B joins and they share, A leaves: one effect per event, in order per key."""
    await create_topics(kafka_bootstrap, (f"{topic_prefix}in", 6), (f"{topic_prefix}dlq", 1))
    factory = PgUnitOfWorkFactory(pool=pool, consumer_group=f"{topic_prefix}g")
    events: dict[uuid.UUID, tuple[str, int]] = {}
    streaming = asyncio.create_task(_stream(kafka_bootstrap, f"{topic_prefix}in", events))

    def instance(name: str) -> AbstractAsyncContextManager[ConsumerRunner[Ping]]:
        handle = effect_handler(uow=factory, instance=name, output_topic=None, max_latency_s=0.02)
        return serving(kafka_bootstrap, topic_prefix, handle)

    first = AsyncExitStack()
    a = await first.enter_async_context(instance("a"))
    await eventually(effects_at_least(pool, 100))
    async with instance("b") as b:
        await eventually(lambda: bool(a.assignment) and bool(b.assignment))
        assert not a.assignment & b.assignment
        await eventually(effects_at_least(pool, len(events) + 60))  # both work on the stream
        await first.aclose()  # A leaves the group mid-stream: B takes its partitions over
        await streaming
        await eventually(effects_at_least(pool, len(events)))

    applied, by_key = await effects_by_key(pool)
    assert sorted(applied) == sorted(events)  # each exactly once
    assert await pool.fetchval("SELECT count(DISTINCT instance) FROM effects") == 2
    assert by_key == {k: list(range(ROUNDS)) for k in KEYS}
