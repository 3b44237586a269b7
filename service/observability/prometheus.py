"""`/metrics` with prometheus-client: the instruments, plus figures read when Prometheus scrapes.

Counters the engine already keeps (records finished per topic and outcome) and gauges that are
states rather than events (lag, in-flight, circuit, ledger backlogs) are read at scrape time by
custom collectors, the library's way to expose figures another component owns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.domain.provider_results import CircuitState
from service.engine.process import Outcome
from service.observability.instruments import Instruments
from service.observability.ledger import LedgerCollector, LedgerReader
from service.observability.observatory import Observatory
from service.observability.source import RunnerView
from service.observability.tables import TableSize, TableSizes

# Every name and label here is ASCII, so the text is the same in both formats; 0.0.4 is the one
# every Prometheus (2.x too) and scraping agent reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


def consumer_metrics(
    *,
    outcomes: Mapping[tuple[str, Outcome], int],
    lag: Mapping[str, int],
    in_flight: int,
    partitions: int,
) -> list[Metric]:
    """Records finished per topic and outcome, dead letters, lag per topic, in-flight, owned."""
    done = CounterMetricFamily(
        "ppu_events_processed", "Input records finished", labels=["topic", "outcome"]
    )
    dead = CounterMetricFamily("ppu_dead_letters", "Input records dead-lettered", labels=["topic"])
    for (topic, outcome), count in sorted(outcomes.items()):
        done.add_metric([topic, outcome.value], count)
        if outcome is Outcome.DEAD_LETTERED:
            dead.add_metric([topic], count)
    lags = GaugeMetricFamily(
        "ppu_consumer_lag", "Records behind the high watermark, owned partitions", labels=["topic"]
    )
    for topic, value in sorted(lag.items()):
        lags.add_metric([topic], value)
    return [
        done,
        dead,
        lags,
        GaugeMetricFamily("ppu_consumer_in_flight", "Records fetched, not done", value=in_flight),
        GaugeMetricFamily("ppu_consumer_partitions", "Partitions owned", value=partitions),
    ]


class ConsumerCollector(Collector):
    """The runner's figures; `refresh` reads the lag, which needs the broker's answer."""

    def __init__(self, runner: RunnerView) -> None:
        self._runner = runner
        self._lag: dict[str, int] = {}

    async def refresh(self) -> None:
        """Sum the lag of each owned partition per topic."""
        lag: dict[str, int] = {}
        for (topic, _), value in (await self._runner.lag()).items():
            lag[topic] = lag.get(topic, 0) + value
        self._lag = lag

    def collect(self) -> Iterable[Metric]:
        """The figures now."""
        return consumer_metrics(
            outcomes=self._runner.outcomes,
            lag=self._lag,
            in_flight=self._runner.in_flight,
            partitions=len(self._runner.assignment),
        )

    def describe(self) -> Iterable[Metric]:
        """Nothing up front: the names are fixed and the registry need not probe them."""
        return []


class CircuitCollector(Collector):
    """One gauge per provider and circuit state, 1 for the state it is in now."""

    def __init__(self, observatory: Observatory) -> None:
        self._observatory = observatory

    def collect(self) -> Iterable[Metric]:
        """The circuits now."""
        family = GaugeMetricFamily(
            "ppu_provider_circuit_state",
            "1 for the state the provider's circuit is in now",
            labels=["provider", "state"],
        )
        for reading in self._observatory.readings():
            for state in CircuitState:
                family.add_metric(
                    [reading.provider_id, state.value], float(reading.circuit is state)
                )
        return [family]

    def describe(self) -> Iterable[Metric]:
        """Nothing up front (see ConsumerCollector)."""
        return []


class TableCollector(Collector):
    """Estimated rows and bytes per database table; `refresh` asks the database."""

    def __init__(self, tables: TableSizes) -> None:
        self._tables = tables
        self._sizes: list[TableSize] = []

    async def refresh(self) -> None:
        """Read the sizes (empty when the database cannot say)."""
        self._sizes = await self._tables.table_sizes()

    def collect(self) -> Iterable[Metric]:
        """The sizes as last read."""
        rows = GaugeMetricFamily(
            "ppu_table_rows_estimate", "Rows per table (planner estimate)", labels=["table"]
        )
        size = GaugeMetricFamily(
            "ppu_table_bytes", "Bytes per table, indexes and TOAST included", labels=["table"]
        )
        for t in self._sizes:
            if t.rows_estimate is not None:
                rows.add_metric([t.table], t.rows_estimate)
            size.add_metric([t.table], t.bytes)
        return [rows, size]

    def describe(self) -> Iterable[Metric]:
        """Nothing up front (see ConsumerCollector)."""
        return []


class Exporter:
    """The registry `/metrics` serves: instruments, process metrics and the collectors above."""

    def __init__(
        self,
        *,
        instruments: Instruments,
        observatory: Observatory,
        runner: RunnerView,
        pool: Any,
        tables: TableSizes | None = None,
    ) -> None:
        self.registry = instruments.registry
        self._consumer = ConsumerCollector(runner)
        self._tables = TableCollector(tables) if tables is not None else None
        if self._tables is not None:
            self.registry.register(self._tables)
        self._ledger = LedgerCollector(LedgerReader(pool)) if pool is not None else None
        self.registry.register(self._consumer)
        self.registry.register(CircuitCollector(observatory))
        if self._ledger is not None:
            self.registry.register(self._ledger)

    async def scrape(self) -> bytes:
        """Refresh the figures that need I/O, then render the exposition."""
        await self._consumer.refresh()
        if self._tables is not None:
            await self._tables.refresh()
        if self._ledger is not None:
            await self._ledger.refresh()
        return generate_latest(self.registry)
