"""Per-key order under concurrency, on the real broker."""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest

from service.engine.records import Event
from tests.integration.engine.kit import Ping, eventually, ping, serving, setup_lane

pytestmark = pytest.mark.integration
KEYS = [f"0412{i:06d}" for i in range(40)]


class _Recorder:
    """A handler with random latency that records each key's order and how many keys overlap."""

    def __init__(self) -> None:
        self.seen: dict[str, list[int]] = {}
        self.active: set[str] = set()
        self.overlaps_within_key = 0
        self.peak = 0
        self._rng = random.Random(5)

    async def __call__(self, event: Event[Ping]) -> None:
        """Handle one event: sleep a random while, note its sequence number."""
        key = event.payload.key
        self.overlaps_within_key += key in self.active
        self.active.add(key)
        self.peak = max(self.peak, len(self.active))
        await asyncio.sleep(self._rng.uniform(0.0, 0.02))
        self.seen.setdefault(key, []).append(event.payload.seq)
        self.active.discard(key)


async def test_each_keys_events_are_handled_in_order_while_keys_run_concurrently(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """40 keys x 10 events with random latencies: order holds per key and keys overlap in time."""
    messages = [(k, ping(uuid.uuid4(), k, seq)) for seq in range(10) for k in KEYS]
    await setup_lane(kafka_bootstrap, topic_prefix, messages, partitions=3)
    recorder = _Recorder()

    async def all_seen() -> bool:
        return sum(map(len, recorder.seen.values())) >= len(messages)

    async with serving(kafka_bootstrap, topic_prefix, recorder):
        await eventually(all_seen)
    assert recorder.seen == {k: list(range(10)) for k in KEYS}
    assert recorder.overlaps_within_key == 0
    assert recorder.peak > 5
