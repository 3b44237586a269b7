"""Commits never pass an unfinished event; a graceful stop commits everything done."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from service.engine.records import Event
from tests.integration.engine.kit import (
    TEST_SETTINGS,
    Ping,
    committed,
    eventually,
    ping,
    serving,
    setup_lane,
)

pytestmark = pytest.mark.integration


async def test_a_blocked_early_event_holds_the_committed_offset(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Offset 3 blocks: 0-2 get committed, 4-9 finish uncommitted; once released, 10 is."""
    await setup_lane(
        kafka_bootstrap,
        topic_prefix,
        [(f"k{i}", ping(uuid.uuid4(), f"k{i}", 0)) for i in range(10)],
    )
    group, release, done = f"{topic_prefix}g", asyncio.Event(), []

    async def handle(event: Event[Ping]) -> None:
        if event.record.offset == 3:
            await release.wait()
        done.append(event.record.offset)

    async def committed_is(offset: int) -> bool:
        return await committed(kafka_bootstrap, group) == {0: offset}

    async with serving(kafka_bootstrap, topic_prefix, handle) as runner:
        await eventually(lambda: committed_is(3))
        await eventually(lambda: len(done) == 9)
        # Several commit rounds pass with 4-9 done; none may move the offset past 3.
        await asyncio.sleep(TEST_SETTINGS.commit_interval_s * 5)
        assert await committed_is(3)
        assert runner.in_flight == 1
        release.set()
        await eventually(lambda: committed_is(10))
        assert not runner.liveness.is_stuck(time.monotonic())


async def test_a_graceful_stop_drains_and_commits_and_nothing_is_handled_twice(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Stop mid-stream: in-flight events finish and are committed; a restart resumes after them."""
    ids = [uuid.uuid4() for _ in range(200)]
    messages = [(f"k{i % 20}", ping(e, f"k{i % 20}", i)) for i, e in enumerate(ids)]
    await setup_lane(kafka_bootstrap, topic_prefix, messages, partitions=2)
    handled: list[uuid.UUID] = []

    async def handle(event: Event[Ping]) -> None:
        await asyncio.sleep(0.01)
        handled.append(event.payload.event_id)

    for enough in (50, len(ids)):
        async with serving(kafka_bootstrap, topic_prefix, handle):
            await eventually(lambda n=enough: len(set(handled)) >= n)  # type: ignore[misc]
    assert sorted(handled) == sorted(ids)  # every event once: none lost, none redone after the stop
    assert sum((await committed(kafka_bootstrap, f"{topic_prefix}g")).values()) == len(ids)
