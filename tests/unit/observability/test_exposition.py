"""Prometheus exposition with prometheus-client, and the per-topic window of the snapshots."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.domain import provider_results as r
from service.engine.dispatch import Partition
from service.engine.liveness import Liveness
from service.engine.process import Outcome
from service.engine.records import Event, Record
from service.observability.observatory import Observatory
from service.observability.prometheus import Exporter
from service.observability.tables import TableSize
from service.observability.topics import TopicWindow
from service.ports.unit_of_work import OutboxMessage
from tests.unit.observability.test_observed_provider import Scripted, lookup


class FakeRunner:
    """The runner's view, with fixed figures."""

    def __init__(self, outcomes: Mapping[tuple[str, Outcome], int]) -> None:
        self.liveness = Liveness(stuck_after_s=30, started_at=0)
        self.outcomes = outcomes
        self.in_flight = 2
        self.assignment: frozenset[Partition] = frozenset({("in", 0), ("in", 1)})

    async def lag(self) -> dict[Partition, int]:
        """Two partitions of one topic."""
        return {("in", 0): 3, ("in", 1): 4}


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text.decode())
        for s in family.samples
    }


async def test_scrape_shows_outcomes_dead_letters_lag_calls_circuit_and_process() -> None:
    """One scrape: runner totals as counters, lag summed per topic, provider calls, circuits."""
    observatory = Observatory(window_s=60)
    timeout = r.Unknown(kind=r.UnknownKind.TIMEOUT)
    provider = observatory.wrap({"P1": Scripted(r.Succeeded(value=1, status=200), timeout)})["P1"]
    await provider.lookup_meter(lookup())
    await provider.lookup_meter(lookup())
    runner = FakeRunner({("in", Outcome.HANDLED): 5, ("in", Outcome.DEAD_LETTERED): 1})
    exporter = Exporter(
        instruments=observatory.instruments, observatory=observatory, runner=runner, pool=None
    )
    got = samples(await exporter.scrape())
    assert got[("ppu_events_processed_total", (("outcome", "handled"), ("topic", "in")))] == 5
    assert got[("ppu_dead_letters_total", (("topic", "in"),))] == 1
    assert got[("ppu_consumer_lag", (("topic", "in"),))] == 7
    assert got[("ppu_consumer_partitions", ())] == 2
    call = (("operation", "lookup"), ("provider", "P1"))
    assert got[("ppu_provider_requests_total", call)] == 2
    assert got[("ppu_provider_timeouts_total", call)] == 1
    assert got[("ppu_provider_answers_total", (("class", "unknown"), *call))] == 1
    assert got[("ppu_provider_request_duration_seconds_count", call)] == 2
    assert got[("ppu_provider_circuit_state", (("provider", "P1"), ("state", "HALF_OPEN")))] == 1
    assert got[("ppu_provider_circuit_state", (("provider", "P1"), ("state", "OPEN")))] == 0
    assert ("process_cpu_seconds_total", ()) in got


async def test_handler_wrapper_counts_retries_and_times_successes_only() -> None:
    """A retry counts once; only the success is timed, from the record's timestamp."""
    observatory = Observatory(window_s=60)
    calls: list[int] = []

    async def handle(event: Event[object]) -> None:  # type: ignore[type-var]
        """Fail the first attempt."""
        calls.append(event.attempt)
        if event.attempt == 1:
            raise RuntimeError("transient")

    observed = observatory.handler(handle)
    record = Record(
        topic="in",
        partition=0,
        offset=1,
        key=None,
        value=b"{}",
        timestamp_ms=int(time.time() * 1000) - 2000,
    )
    with pytest.raises(RuntimeError):
        await observed(Event(record=record, payload=object(), attempt=1))  # type: ignore[type-var]
    await observed(Event(record=record, payload=object(), attempt=2))  # type: ignore[type-var]
    registry = observatory.instruments.registry
    assert registry.get_sample_value("ppu_event_retries_total", {"topic": "in"}) == 1
    assert registry.get_sample_value("ppu_event_latency_seconds_count", {"topic": "in"}) == 1
    latency = registry.get_sample_value("ppu_event_latency_seconds_sum", {"topic": "in"})
    assert latency is not None
    assert 2 <= latency < 10
    assert calls == [1, 2]


def test_topic_counts_cover_the_window_only() -> None:
    """Processed and dead letters are the growth of the runner's totals within the window."""
    window = TopicWindow(topics=["in"], window_s=60)
    (first,) = window.read(0, {("in", Outcome.HANDLED): 5})
    assert (first.processed, first.dead_letters) == (5, 0)
    window.read(30, {("in", Outcome.HANDLED): 7})
    window.read(61, {("in", Outcome.HANDLED): 8, ("in", Outcome.DEAD_LETTERED): 1})
    (later,) = window.read(95, {("in", Outcome.HANDLED): 9, ("in", Outcome.DEAD_LETTERED): 1})
    assert (later.processed, later.dead_letters) == (3, 1)  # since the reading at 30


async def test_relayed_outputs_are_counted_by_topic_and_outcome_once_acknowledged() -> None:
    """Counted after the inner publisher returns; an outcome that is not an enum value is ""."""
    observatory = Observatory(window_s=60)
    sent: list[OutboxMessage] = []

    class Broker:
        """Acknowledges the first batch, fails the second."""

        async def publish(self, messages: Sequence[OutboxMessage]) -> None:
            """Keep or refuse."""
            if sent:
                raise OSError("broker gone")
            sent.extend(messages)

    def message(topic: str, payload: bytes) -> OutboxMessage:
        """An output event."""
        return OutboxMessage(topic=topic, key=None, event_id=uuid.uuid4(), payload=payload)

    relayed = observatory.relayed(Broker())
    await relayed.publish(
        [
            message("ppu.purchase.failed", b'{"outcome":"UNKNOWN","purchase_id":"p"}'),
            message("ppu.purchase.failed", b'{"outcome":"meter 0412 is odd"}'),
            message("ppu.token.issued", b'{"purchase_id":"p"}'),
        ]
    )
    with pytest.raises(OSError, match="broker gone"):
        await relayed.publish([message("ppu.token.issued", b"{}")])
    registry = observatory.instruments.registry

    def count(topic: str, outcome: str) -> float | None:
        """One sample."""
        labels = {"topic": topic, "outcome": outcome}
        return registry.get_sample_value("ppu_outputs_published_total", labels)

    assert count("ppu.purchase.failed", "UNKNOWN") == 1
    assert count("ppu.purchase.failed", "") == 1
    assert count("ppu.token.issued", "") == 1


class FixedTables:
    """Table sizes as the database would report them."""

    async def table_sizes(self) -> list[TableSize]:
        """One table with an estimate, one without."""
        return [
            TableSize(table="outbox", rows_estimate=1200, bytes=180_224),
            TableSize(table="advices", rows_estimate=None, bytes=8192),
        ]


async def test_table_sizes_are_gauges_and_an_unknown_estimate_is_left_out() -> None:
    """Bytes for every table; rows only where the planner has an estimate."""
    observatory = Observatory(window_s=60)
    exporter = Exporter(
        instruments=observatory.instruments,
        observatory=observatory,
        runner=FakeRunner({}),
        pool=None,
        tables=FixedTables(),
    )
    got = samples(await exporter.scrape())
    assert got[("ppu_table_bytes", (("table", "outbox"),))] == 180_224
    assert got[("ppu_table_rows_estimate", (("table", "outbox"),))] == 1200
    assert got[("ppu_table_bytes", (("table", "advices"),))] == 8192
    assert ("ppu_table_rows_estimate", (("table", "advices"),)) not in got
