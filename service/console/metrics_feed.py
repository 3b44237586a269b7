"""Reads `ppu.metrics`: each switch instance's latest snapshot for Provider health, and the
last hour of snapshots for its charts (re-read from the topic by time at start)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from datetime import UTC, datetime, timedelta

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from service.observability.snapshot import MetricsSnapshot

log = structlog.get_logger(__name__)
HISTORY = timedelta(hours=1)
_MAX_KEPT = 20_000  # an hour of snapshots every 0.5 s from several instances, at most


class MetricsFeed:
    """A group-less consumer of the metrics topic; the latest snapshot per instance."""

    def __init__(self, *, bootstrap: str, topic: str, window_s: float) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._window = timedelta(seconds=window_s)
        self._latest: dict[str, MetricsSnapshot] = {}
        self._history: deque[MetricsSnapshot] = deque(maxlen=_MAX_KEPT)

    def latest(self, now: datetime | None = None) -> list[MetricsSnapshot]:
        """Each instance's newest snapshot taken within the window, by instance id."""
        horizon = (now or datetime.now(UTC)) - self._window
        return [s for _, s in sorted(self._latest.items()) if s.occurred_at >= horizon]

    def history(self, now: datetime | None = None) -> list[MetricsSnapshot]:
        """Every snapshot of the last hour, oldest first."""
        horizon = (now or datetime.now(UTC)) - HISTORY
        while self._history and self._history[0].occurred_at < horizon:
            self._history.popleft()
        return list(self._history)

    def accept(self, value: bytes | None) -> None:
        """Keep a snapshot if it is newer than its instance's last; ignore anything else."""
        if value is None:
            return
        try:
            snapshot = MetricsSnapshot.model_validate_json(value)
        except ValidationError:
            log.warning("metrics_snapshot_unreadable")
            return
        known = self._latest.get(snapshot.instance_id)
        if known is None or snapshot.occurred_at >= known.occurred_at:
            self._latest[snapshot.instance_id] = snapshot
        if not self._history or snapshot.occurred_at >= self._history[-1].occurred_at:
            self._history.append(snapshot)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the topic until `stop` is set; start over after a broker failure."""
        while not stop.is_set():
            try:
                await self._follow(stop)
            except KafkaError as exc:
                log.warning("metrics_feed_failed", error=type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    async def _follow(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            assigned = await self._assign(consumer)
            while assigned and not stop.is_set():
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for record in records:
                        self.accept(record.value)
        finally:
            await consumer.stop()
        if not assigned:
            # The switch creates the topic at start; until then there is nothing to read.
            log.warning("metrics_topic_missing", topic=self._topic)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5.0)

    async def _assign(self, consumer: AIOKafkaConsumer) -> bool:
        if self._topic not in await consumer.topics():
            return False
        partitions = consumer.partitions_for_topic(self._topic) or {0}
        tps = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        since_ms = int((datetime.now(UTC) - HISTORY).timestamp() * 1000)
        found = await consumer.offsets_for_times(dict.fromkeys(tps, since_ms))
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            at = found.get(tp)
            consumer.seek(tp, at.offset if at is not None else ends[tp])
        return True
