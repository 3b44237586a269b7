"""Builds a metrics snapshot out of the provider recorders, the consumer runner and table sizes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from schemas.v1.operations import TableMetrics
from service.engine.dispatch import Partition
from service.engine.liveness import Liveness
from service.engine.outage import OutageGate
from service.engine.process import Outcome
from service.observability.observatory import Observatory
from service.observability.recorder import ProviderReading
from service.observability.snapshot import MetricsSnapshot, ProviderFigures, TopicFigures
from service.observability.tables import TableSize, TableSizes
from service.observability.topics import TopicWindow


class RunnerView(Protocol):
    """What the metrics read from the consumer runner."""

    liveness: Liveness
    gate: OutageGate

    @property
    def outcomes(self) -> Mapping[tuple[str, Outcome], int]:
        """Records finished since start, per (topic, outcome)."""
        ...

    @property
    def in_flight(self) -> int:
        """Records fetched and not yet done."""
        ...

    @property
    def assignment(self) -> frozenset[Partition]:
        """Partitions owned now."""
        ...

    async def lag(self) -> dict[Partition, int]:
        """Lag per owned partition."""
        ...


def provider_figures(reading: ProviderReading) -> ProviderFigures:
    """A recorder's window as the snapshot's provider entry."""
    w = reading.window
    return ProviderFigures(
        provider_id=reading.provider_id,
        requests=w.requests,
        errors=w.failures + w.unknowns,
        timeouts=w.timeouts,
        successes=w.successes,
        failures=w.failures,
        unknowns=w.unknowns,
        declines=w.declines,
        latency_p50_ms=w.latency_p50_ms,
        latency_p95_ms=w.latency_p95_ms,
        latency_p99_ms=w.latency_p99_ms,
        latency_max_ms=w.latency_max_ms,
        circuit=reading.circuit.value,
        not_offered=list(reading.not_offered),
    )


class SnapshotSource:
    """Takes snapshots on demand; each one also advances the per-topic window."""

    def __init__(
        self,
        *,
        instance_id: str,
        observatory: Observatory,
        runner: RunnerView,
        topics: TopicWindow,
        tables: TableSizes | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.instance_id = instance_id
        self.observatory = observatory
        self.runner = runner
        self.tables = tables
        self._topics = topics
        self._clock = clock

    async def table_sizes(self) -> list[TableSize]:
        """The database's table sizes now (none without a reader)."""
        return await self.tables.table_sizes() if self.tables else []

    async def snapshot(self) -> MetricsSnapshot:
        """The figures now, as the event published on `ppu.metrics`."""
        lags = await self.runner.lag()
        lag_of: dict[str, int] = {}
        for (topic, _), lag in lags.items():
            lag_of[topic] = lag_of.get(topic, 0) + lag
        counted = self._topics.read(self._clock(), self.runner.outcomes)
        topics = [
            TopicFigures(
                topic=c.topic,
                processed=c.processed,
                dead_letters=c.dead_letters,
                lag=lag_of.get(c.topic, 0),
            )
            for c in counted
        ]
        return MetricsSnapshot(
            event_id=uuid.uuid4(),
            occurred_at=datetime.now(UTC),
            instance_id=self.instance_id,
            window_seconds=self.observatory.window_s,
            providers=[provider_figures(r) for r in self.observatory.readings()],
            topics=topics,
            events_processed=sum(t.processed for t in topics),
            lag=sum(lag_of.values()),
            in_flight=self.runner.in_flight,
            dead_letters=sum(t.dead_letters for t in topics),
            tables=[
                TableMetrics(table=t.table, rows_estimate=t.rows_estimate, bytes=t.bytes)
                for t in await self.table_sizes()
            ],
        )
