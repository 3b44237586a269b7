"""Publishes a snapshot to `ppu.metrics` every interval with a plain producer.

Metrics need no exactly-once: a snapshot lost to a broker hiccup is replaced by the next one,
so a failed send is logged and the loop carries on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from aiokafka.errors import KafkaError

from schemas import canonical_bytes
from service.observability.snapshot import MetricsSnapshot
from service.observability.source import SnapshotSource

log = structlog.get_logger(__name__)


class MetricsPublisher:
    """Takes and sends snapshots until stopped."""

    def __init__(
        self, *, producer: Any, topic: str, source: SnapshotSource, interval_s: float
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._source = source
        self._interval_s = interval_s
        self.published = 0

    async def publish_once(self) -> MetricsSnapshot:
        """Take one snapshot and send it, keyed by the instance id."""
        snapshot = await self._source.snapshot()
        await self._producer.send_and_wait(
            self._topic, canonical_bytes(snapshot), key=snapshot.instance_id.encode()
        )
        self.published += 1
        return snapshot

    async def run(self, stop: asyncio.Event) -> None:
        """Publish every interval until `stop` is set."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval_s)
            except TimeoutError:
                pass
            else:
                return
            try:
                await self.publish_once()
            except (KafkaError, TimeoutError, OSError) as exc:
                log.warning("metrics_publish_failed", error=type(exc).__name__)
