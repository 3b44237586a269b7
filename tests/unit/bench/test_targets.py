"""The targets table of issue 12: each figure beside its target as met, missed or not measured."""

from __future__ import annotations

import math

from tests.bench.targets import (
    MET,
    MISSED,
    NOT_MEASURED,
    evaluate,
    issue12_targets,
    targets_table,
)

GOOD = {
    "known_lookups": {
        "switch_cpu_ms": 1.5,  # exactly at the limit counts as met
        "postgres_cpu_ms": 0.8,
        "kafka_cpu_ms": 0.4,
        "lean_ratio": 0.7,
        "paced_p50_ms": 55.0,
        "paced_p99_ms": 100.0,
        "peak_rss_mb": 200.0,
    },
    "broadcast_lookups": {
        "switch_cpu_ms": 1.9,
        "postgres_cpu_ms": 0.9,
        "kafka_cpu_ms": 0.5,
        "lean_ratio": 0.6,
        "speedup": 31.0,
        "paced_p50_ms": 64.0,
        "paced_p99_ms": 119.0,
        "peak_rss_mb": 240.0,
    },
    "purchases": {
        "switch_cpu_ms": 2.0,
        "postgres_cpu_ms": 1.0,
        "kafka_cpu_ms": 0.3,
        "lean_ratio": 0.9,
        "peak_rss_mb": 260.0,
    },
    "fault_run": {
        "postgres_cpu_ms": 0.7,
        "kafka_cpu_ms": 0.2,
        "lean_ratio": 0.65,
        "unaffected_p50_ratio": 1.1,
    },
}


def _verdicts(results: dict[str, dict[str, float]], instances: int = 2) -> dict[str, str]:
    rows = evaluate(results, latency_ms=50.0, instances=instances)
    return {r["name"]: r["verdict"] for r in rows}


def test_every_target_of_the_issue_is_listed_once() -> None:
    """22 targets: switch CPU 3, PostgreSQL 4, Kafka 4, vs lean 4, naive, paced 4, fault, RSS."""
    names = [t.name for t in issue12_targets()]
    assert len(names) == 22
    assert len(set(names)) == len(names)


def test_figures_on_the_good_side_of_every_limit_are_met() -> None:
    """Limits are inclusive; peak RSS is the largest over the workloads divided by instances."""
    verdicts = _verdicts(GOOD, instances=2)
    assert set(verdicts.values()) == {MET}, verdicts


def test_figures_past_a_limit_are_missed_in_either_direction() -> None:
    """Too much CPU or latency is missed, and so is too little throughput."""
    worse = {w: dict(f) for w, f in GOOD.items()}
    worse["known_lookups"]["switch_cpu_ms"] = 1.51
    worse["broadcast_lookups"]["speedup"] = 29.9
    worse["purchases"]["lean_ratio"] = 0.59
    worse["broadcast_lookups"]["paced_p99_ms"] = 121.0
    verdicts = _verdicts(worse, instances=1)  # 260 MB in one instance
    assert verdicts["switch CPU/event, known"] == MISSED
    assert verdicts["broadcast vs naive"] == MISSED
    assert verdicts["throughput vs lean, purchases"] == MISSED
    assert verdicts["paced p99, broadcast"] == MISSED
    assert verdicts["peak RSS per instance"] == MISSED
    assert verdicts["paced p50, known"] == MET


def test_absent_none_or_nan_figures_are_not_measured() -> None:
    """A workload not run, a figure missing, None (from JSON) or NaN is shown as not measured."""
    results: dict[str, dict[str, float]] = {
        "known_lookups": {"switch_cpu_ms": math.nan, "kafka_cpu_ms": 0.1},
    }
    verdicts = _verdicts(results)
    assert verdicts["switch CPU/event, known"] == NOT_MEASURED
    assert verdicts["Kafka CPU/event, known"] == MET
    assert verdicts["fault run unaffected p50"] == NOT_MEASURED
    assert verdicts["peak RSS per instance"] == NOT_MEASURED
    rows = evaluate(results, latency_ms=50.0, instances=1)
    assert next(r for r in rows if r["figure"] == "switch_cpu_ms")["measured"] is None


def test_latency_targets_keep_their_distance_above_the_provider_latency() -> None:
    """At 100 ms providers the paced p50 targets become 110 and 115 ms, p99 170 ms."""
    limits = {t.name: t.limit for t in issue12_targets(100.0)}
    assert limits["paced p50, known"] == 110.0
    assert limits["paced p50, broadcast"] == 115.0
    assert limits["paced p99, known"] == 170.0
    assert limits["switch CPU/event, known"] == 1.5


def test_printed_table_counts_the_targets_met_and_shows_each_figure() -> None:
    """The heading counts what was met; each line has target, measured figure and verdict."""
    lines = targets_table(GOOD, latency_ms=50.0, instances=2)
    assert lines[0].endswith("22/22 met")
    known = next(line for line in lines if "switch CPU/event, known" in line)
    assert "<= 1.50 ms" in known
    assert "1.50 ms" in known.split("measured")[1]
    assert known.rstrip().endswith(MET)
    empty = targets_table({}, latency_ms=50.0, instances=1)
    assert empty[0].endswith("0/22 met")
    assert all(line.rstrip().endswith(NOT_MEASURED) for line in empty[1:])
