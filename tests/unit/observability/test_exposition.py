"""Prometheus exposition and the per-topic window."""

from __future__ import annotations

from service.engine.process import Outcome
from service.observability.prometheus import consumer_families, exposition, table_families
from service.observability.tables import TableSize
from service.observability.topics import TopicWindow


def test_label_values_are_escaped_and_families_typed() -> None:
    """Quotes, backslashes and newlines in labels cannot break the format."""
    text = exposition(
        consumer_families(
            outcomes={('we"ird\\topic\n', Outcome.HANDLED): 3},
            lag={"t": 5},
            in_flight=2,
            partitions=1,
        )
    )
    assert 'topic="we\\"ird\\\\topic\\n",outcome="handled"} 3' in text
    assert "# TYPE ppu_events_processed_total counter" in text
    assert "ppu_consumer_in_flight 2" in text
    assert text.endswith("\n")


def test_topic_counts_cover_the_window_only() -> None:
    """Processed and dead letters are the growth of the runner's totals within the window."""
    window = TopicWindow(topics=["in"], window_s=60)
    (first,) = window.read(0, {("in", Outcome.HANDLED): 5})
    assert (first.processed, first.dead_letters) == (5, 0)
    window.read(30, {("in", Outcome.HANDLED): 7})
    window.read(61, {("in", Outcome.HANDLED): 8, ("in", Outcome.DEAD_LETTERED): 1})
    (later,) = window.read(95, {("in", Outcome.HANDLED): 9, ("in", Outcome.DEAD_LETTERED): 1})
    assert (later.processed, later.dead_letters) == (3, 1)  # since the reading at 30


def test_table_sizes_are_gauges_and_an_unknown_estimate_is_left_out() -> None:
    """Bytes for every table; rows only where the planner has an estimate."""
    text = exposition(
        table_families(
            [
                TableSize(table="outbox", rows_estimate=1200, bytes=180_224),
                TableSize(table="advices", rows_estimate=None, bytes=8192),
            ]
        )
    )
    assert "# TYPE ppu_table_bytes gauge" in text
    assert 'ppu_table_bytes{table="outbox"} 180224' in text
    assert 'ppu_table_rows_estimate{table="outbox"} 1200' in text
    assert 'ppu_table_bytes{table="advices"} 8192' in text
    assert 'ppu_table_rows_estimate{table="advices"}' not in text
