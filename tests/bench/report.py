"""The figures as a table, each issue target beside its measured figure, and bench-results.json."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

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


def details(results: Mapping[str, Figures]) -> list[str]:
    """The paced runs behind the latency targets."""
    lines = []
    if b := results.get("broadcast_lookups"):
        lines.append(
            f"broadcast_lookups paced at half the max rate ({b['half_rate_offered_per_s']:.0f}/s):"
            f" p50 {b['half_rate_p50_ms']:.1f} ms, p95 {b['half_rate_p95_ms']:.1f} ms,"
            f" p99 {b['half_rate_p99_ms']:.1f} ms"
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


def _verdict(measured: float | None, target: float, *, at_least: bool) -> str:
    if measured is None or math.isnan(measured):
        return "not measured"
    met = measured >= target if at_least else measured <= target
    return "met" if met else "BELOW TARGET"


def targets(results: Mapping[str, Figures], latency_ms: float) -> list[str]:
    """Each target of issue 4 next to the measured figure."""
    b, f, p = (results.get(w, {}) for w in ("broadcast_lookups", "fault_run", "purchases"))
    rows = [
        ("broadcast lookups vs naive", ">= 50x", b.get("speedup"), 50.0, True, "{:.1f}x"),
        (
            "broadcast p50 at half max rate",
            f"<= {latency_ms + 15:.0f} ms",
            b.get("half_rate_p50_ms"),
            latency_ms + 15,
            False,
            "{:.1f} ms",
        ),
        (
            "fault run unaffected p50",
            "<= 1.2x",
            f.get("unaffected_p50_ratio"),
            1.2,
            False,
            "{:.2f}x",
        ),
        ("purchases end to end", ">= 1000/s", p.get("events_per_s"), 1000.0, True, "{:.1f}/s"),
        (
            "service peak RSS (purchases)",
            "<= 250 MB",
            p.get("peak_rss_mb"),
            250.0,
            False,
            "{:.1f} MB",
        ),
    ]
    lines = ["targets (issue 4; figures, not assertions):"]
    for name, wanted, measured, target, at_least, fmt in rows:
        shown = fmt.format(measured) if measured is not None else "-"
        verdict = _verdict(measured, target, at_least=at_least)
        lines.append(f"  {name:<32} target {wanted:<10} measured {shown:<12} {verdict}")
    return lines


def _clean(value: float) -> float | None:
    """JSON has no NaN."""
    return None if isinstance(value, float) and math.isnan(value) else value


def write_json(path: Path, results: Mapping[str, Figures]) -> None:
    """One object per workload, figures rounded for reading."""
    body = {
        w: {k: _clean(round(v, 3)) for k, v in figures.items()} for w, figures in results.items()
    }
    path.write_text(json.dumps(body, indent=2) + "\n")
