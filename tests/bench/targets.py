"""Issue 12's targets beside the figures of one run: met, missed or not measured (never asserted).

The latency targets are stated for 50 ms providers (p50 60 ms known, 65 ms broadcast, p99 120 ms);
with another `--latency-ms` they keep the same distance above the provider latency.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Results = Mapping[str, Mapping[str, float | None]]
MET, MISSED, NOT_MEASURED = "met", "MISSED", "not measured"
WORKLOADS = ("known_lookups", "broadcast_lookups", "purchases", "fault_run")
# The peak RSS target is per instance, over every workload; it lives under this pseudo-workload.
OVERALL = "all"


@dataclass(frozen=True)
class Target:
    """One target: which figure of which workload, its limit, and which side of it is good."""

    name: str
    workload: str
    key: str
    limit: float
    at_least: bool
    unit: str

    def wanted(self) -> str:
        """The target as text: `<= 1.50 ms`, `>= 0.60x`."""
        return f"{'>=' if self.at_least else '<='} {_fmt(self.limit, self.unit)}"


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"
    return f"{value:.2f} {unit}" if unit == "ms" and value < 10 else f"{value:.1f} {unit}"


def _per_workload(name: str, key: str, limit: float, at_least: bool, unit: str) -> list[Target]:
    """The same target for every workload."""
    short = {"known_lookups": "known", "broadcast_lookups": "broadcast", "purchases": "purchases"}
    short["fault_run"] = "fault run"
    return [Target(f"{name}, {short[w]}", w, key, limit, at_least, unit) for w in WORKLOADS]


def issue12_targets(latency_ms: float = 50.0) -> list[Target]:
    """Every target of issue 12, in the order the issue gives them."""
    known, broadcast = "known_lookups", "broadcast_lookups"
    return [
        Target("switch CPU/event, known", known, "switch_cpu_ms", 1.5, False, "ms"),
        Target("switch CPU/event, broadcast", broadcast, "switch_cpu_ms", 2.0, False, "ms"),
        Target("switch CPU/event, purchases", "purchases", "switch_cpu_ms", 2.0, False, "ms"),
        *_per_workload("PostgreSQL CPU/event", "postgres_cpu_ms", 1.0, False, "ms"),
        *_per_workload("Kafka CPU/event", "kafka_cpu_ms", 0.5, False, "ms"),
        *_per_workload("throughput vs lean", "lean_ratio", 0.6, True, "x"),
        Target("broadcast vs naive", broadcast, "speedup", 30.0, True, "x"),
        Target("paced p50, known", known, "paced_p50_ms", latency_ms + 10, False, "ms"),
        Target("paced p50, broadcast", broadcast, "paced_p50_ms", latency_ms + 15, False, "ms"),
        Target("paced p99, known", known, "paced_p99_ms", latency_ms + 70, False, "ms"),
        Target("paced p99, broadcast", broadcast, "paced_p99_ms", latency_ms + 70, False, "ms"),
        Target("fault run unaffected p50", "fault_run", "unaffected_p50_ratio", 1.2, False, "x"),
        Target("peak RSS per instance", OVERALL, "peak_rss_mb_per_instance", 150.0, False, "MB"),
    ]


def overall(results: Results, instances: int) -> dict[str, float]:
    """Figures over every workload: the largest peak RSS, per switch instance."""
    peaks = [f["peak_rss_mb"] for f in results.values() if f.get("peak_rss_mb") is not None]
    clean = [p for p in peaks if p is not None and not math.isnan(p)]
    return {"peak_rss_mb_per_instance": max(clean) / max(instances, 1)} if clean else {}


def verdict(measured: float | None, target: Target) -> str:
    """MET when the figure is on the good side of the limit (inclusive); MISSED otherwise."""
    if measured is None or math.isnan(measured):
        return NOT_MEASURED
    ok = measured >= target.limit if target.at_least else measured <= target.limit
    return MET if ok else MISSED


def evaluate(results: Results, *, latency_ms: float, instances: int) -> list[dict[str, Any]]:
    """One entry per target: name, workload, figure, target, measured (or None), verdict."""
    everything = {**results, OVERALL: overall(results, instances)}
    rows = []
    for target in issue12_targets(latency_ms):
        measured = everything.get(target.workload, {}).get(target.key)
        rows.append(
            {
                "name": target.name,
                "workload": target.workload,
                "figure": target.key,
                "target": target.wanted(),
                "measured": None if measured is None or math.isnan(measured) else measured,
                "verdict": verdict(measured, target),
            }
        )
    return rows


def targets_table(results: Results, *, latency_ms: float, instances: int) -> list[str]:
    """The targets as printed lines, with a count of those met."""
    rows = evaluate(results, latency_ms=latency_ms, instances=instances)
    units = {t.name: t.unit for t in issue12_targets(latency_ms)}
    met = sum(r["verdict"] == MET for r in rows)
    lines = [f"targets (issue 12; figures of this run, not assertions): {met}/{len(rows)} met"]
    for row in rows:
        value = row["measured"]
        shown = "-" if value is None else _fmt(value, units[row["name"]])
        lines.append(
            f"  {row['name']:<32} target {row['target']:<11} measured {shown:<11} {row['verdict']}"
        )
    return lines
