"""Issue 12's per-workload figures, derived from a measured run and from the peers' runs."""

from __future__ import annotations

import math

from tests.bench.figures import Measured, derived, peer_figures, percentile
from tests.bench.probe import Cost
from tests.bench.traffic import Run


def _measured(total: int = 4, components: dict[str, float] | None = None) -> Measured:
    """Four events sent at 0 ms, their outcomes 50..80 ms later; 20 ms of CPU in all."""
    run = Run(label="w", total=total)
    run.sent_ms = {f"e{n}": 1_000 for n in range(total)}
    run.out_ms = {f"e{n}": 1_050 + 10 * n for n in range(total)}
    return Measured(
        run=run,
        cost=Cost(cpu_s=0.02, system_cpu_s=0.005, peak_rss_mb=60.0),
        simulator_cpu_s=0.004,
        machine_busy_pct=50.0,
        components_cpu_s=components or {"postgres": 0.008, "kafka": 0.0, "harness": 0.001},
        wall_s=0.1,
    )


def test_cpu_table_figures_get_the_issues_names() -> None:
    """switch/postgres/kafka/simulators_cpu_ms are the CPU table's ms per event."""
    figures = {
        "events_per_s": 100.0,
        "cpu_per_event_ms": 1.2,
        "postgres_cpu_per_event_ms": 0.8,
        "kafka_cpu_per_event_ms": 0.4,
        "simulator_cpu_per_event_ms": 0.3,
    }
    assert derived(figures) == {
        "switch_cpu_ms": 1.2,
        "postgres_cpu_ms": 0.8,
        "kafka_cpu_ms": 0.4,
        "simulators_cpu_ms": 0.3,
    }


def test_ratios_to_the_peers_are_switch_over_peer() -> None:
    """lean_ratio is switch ÷ lean and speedup switch ÷ naive; absent peers give no ratio."""
    figures = {"events_per_s": 300.0, "lean_events_per_s": 400.0, "baseline_events_per_s": 10.0}
    out = derived(figures)
    assert out["lean_ratio"] == 0.75
    assert out["speedup"] == 30.0
    assert "lean_ratio" not in derived({"events_per_s": 300.0, "lean_events_per_s": 0.0})


def test_a_peer_run_reports_rate_latency_and_cpu_per_event_under_its_prefix() -> None:
    """The lean peer's own CPU per event, its backends' (a component that spent none is absent)."""
    out = peer_figures(_measured(), "lean_")
    assert out["lean_cpu_ms"] == 5.0  # 20 ms over 4 events
    assert out["lean_postgres_cpu_ms"] == 2.0
    assert out["lean_simulators_cpu_ms"] == 1.0
    assert "lean_kafka_cpu_ms" not in out
    assert out["lean_p50_ms"] == 60.0
    assert out["lean_p99_ms"] == 80.0
    assert out["lean_events_per_s"] == 4 / 0.08
    assert out["lean_outcomes_missing"] == 0.0
    assert out["lean_peak_rss_mb"] == 60.0


def test_percentile_is_nearest_rank_and_nan_without_values() -> None:
    """p50 of 1..4 is 2; no values give NaN."""
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert math.isnan(percentile([], 99))
