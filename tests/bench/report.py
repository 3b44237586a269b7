"""The figures as tables (the switch, its CPU per event, its baselines) and bench-results.json."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Figures = Mapping[str, float]
_COLUMNS = (  # (header, key, decimals)
    ("events/s", "events_per_s", 1),
    ("p50 ms", "p50_ms", 1),
    ("p95 ms", "p95_ms", 1),
    ("p99 ms", "p99_ms", 1),
    ("cpu s", "cpu_s", 1),
    ("cpu ms/ev", "cpu_per_event_ms", 2),
    ("of it sys", "system_cpu_s", 1),
    ("RSS MB", "peak_rss_mb", 1),
    ("naive/s", "baseline_events_per_s", 1),
    ("speedup", "speedup", 1),
    ("lean/s", "lean_events_per_s", 1),
    ("sw/lean", "lean_ratio", 2),
    ("dead ltrs", "dead_lettered", 0),
    ("missing", "outcomes_missing", 0),
    ("sim cpu s", "simulator_cpu_s", 1),
    ("host busy%", "machine_cpu_busy_pct", 0),
)
# Where one event's CPU goes on the machine; 1,000 events/s on 2 cores affords 2 ms in all.
_CPU_COLUMNS = (
    ("switch", "cpu_per_event_ms", 2),
    ("postgres", "postgres_cpu_per_event_ms", 2),
    ("kafka", "kafka_cpu_per_event_ms", 2),
    ("simulators", "simulator_cpu_per_event_ms", 2),
    ("harness", "harness_cpu_per_event_ms", 2),
    ("machine", "machine_cpu_per_event_ms", 2),
)


# The switch and its baselines; the lean peer's CPU per event, its own and its backends'.
_PEER_COLUMNS = (
    ("switch/s", "events_per_s", 1),
    ("naive/s", "baseline_events_per_s", 1),
    ("lean/s", "lean_events_per_s", 1),
    ("sw/naive", "speedup", 1),
    ("sw/lean", "lean_ratio", 2),
    ("lean p50", "lean_p50_ms", 1),
    ("lean p99", "lean_p99_ms", 1),
    ("lean cpu", "lean_cpu_ms", 2),
    ("lean pg", "lean_postgres_cpu_ms", 2),
    ("lean kafka", "lean_kafka_cpu_ms", 2),
    ("lean sims", "lean_simulators_cpu_ms", 2),
    ("lean RSS", "lean_peak_rss_mb", 1),
)


def table(
    results: Mapping[str, Figures], columns: tuple[tuple[str, str, int], ...] = _COLUMNS
) -> str:
    """One row per workload; `-` where a figure was not measured."""
    head = f"{'workload':<18}" + "".join(f" {name:>10}" for name, _, _ in columns)
    rows = []
    for workload, figures in results.items():
        cells = (
            f" {figures[key]:>10.{decimals}f}" if key in figures else f" {'-':>10}"
            for _, key, decimals in columns
        )
        rows.append(f"{workload:<18}" + "".join(cells))
    return "\n".join([head, *rows])


def cpu_table(results: Mapping[str, Figures]) -> str:
    """CPU milliseconds per event: the switch, each backing service, and the whole machine."""
    return "CPU ms per event (harness: the bench's own producer and consumer):\n" + table(
        results, _CPU_COLUMNS
    )


def peers_table(results: Mapping[str, Figures]) -> str:
    """The switch beside its two baselines: rates, ratios, and the lean peer's own costs."""
    return (
        "The switch beside the naive consumer and the lean peer (lean: its own CPU and its "
        "backends' per event):\n" + table(results, _PEER_COLUMNS)
    )


def details(results: Mapping[str, Figures]) -> list[str]:
    """The paced runs behind the latency targets."""
    lines = []
    for workload, w in results.items():
        if workload != "fault_run" and "paced_p50_ms" in w:
            lines.append(
                f"{workload} paced at half the max rate ({w['paced_rate_per_s']:.0f}/s):"
                f" p50 {w['paced_p50_ms']:.1f} ms, p95 {w['paced_p95_ms']:.1f} ms,"
                f" p99 {w['paced_p99_ms']:.1f} ms"
            )
    if f := results.get("fault_run"):
        lines.append(
            f"fault_run paced at {f['paced_rate_per_s']:.0f}/s: "
            f"{100 * f['paced_affected_share']:.1f}% of lookups hit by the hang, "
            f"unaffected p50 {f['paced_unaffected_p50_ms']:.1f} ms vs fault-free "
            f"{f['paced_reference_p50_ms']:.1f} ms, affected p50 "
            f"{f['paced_affected_p50_ms']:.1f} ms; at max rate "
            f"{100 * f['affected_share']:.1f}% hit"
        )
    return lines


def _clean(value: float) -> float | None:
    """JSON has no NaN."""
    return None if isinstance(value, float) and math.isnan(value) else value


def write_json(
    path: Path, results: Mapping[str, Figures], targets: Sequence[Mapping[str, Any]] = ()
) -> None:
    """One object per workload, figures rounded for reading; then `targets`, one per target."""
    body: dict[str, Any] = {
        w: {k: _clean(round(v, 3)) for k, v in figures.items()} for w, figures in results.items()
    }
    if targets:
        body["targets"] = [
            {**t, "measured": None if t["measured"] is None else round(t["measured"], 3)}
            for t in targets
        ]
    path.write_text(json.dumps(body, indent=2) + "\n")
