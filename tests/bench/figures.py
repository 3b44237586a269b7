"""The figures of one measured run, and those derived from them for issue 12's targets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psutil

from tests.bench.probe import Cost
from tests.bench.traffic import Run

Figures = dict[str, float]
# Issue 12's names for figures of the CPU table (ms of CPU per event, by process).
CPU_ALIASES = {
    "switch_cpu_ms": "cpu_per_event_ms",
    "postgres_cpu_ms": "postgres_cpu_per_event_ms",
    "kafka_cpu_ms": "kafka_cpu_per_event_ms",
    "simulators_cpu_ms": "simulator_cpu_per_event_ms",
}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (NaN when there are none)."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(q / 100 * len(values)) - 1)]


def latency_figures(latencies: Sequence[float], prefix: str = "") -> Figures:
    """p50/p95/p99 in ms."""
    return {f"{prefix}p{q}_ms": percentile(latencies, q) for q in (50, 95, 99)}


@dataclass(frozen=True)
class Measured:
    """One workload run and what it cost."""

    run: Run
    cost: Cost
    simulator_cpu_s: float
    machine_busy_pct: float
    components_cpu_s: dict[str, float]
    wall_s: float


def figures(m: Measured) -> Figures:
    """The figures every workload reports."""
    return {
        "events_per_s": m.run.events_per_s(),
        **latency_figures(m.run.latencies_ms()),
        "cpu_s": m.cost.cpu_s,
        "cpu_per_event_ms": 1000 * m.cost.cpu_s / max(m.run.total, 1),
        "system_cpu_s": m.cost.system_cpu_s,
        "peak_rss_mb": m.cost.peak_rss_mb,
        "events": float(m.run.total),
        "dead_lettered": float(len(m.run.dead_lettered)),
        "outcomes_missing": float(m.run.total - m.run.finished),
        "simulator_cpu_s": m.simulator_cpu_s,
        "machine_cpu_busy_pct": m.machine_busy_pct,
        **per_event(m),
    }


def per_event(m: Measured) -> Figures:
    """Where an event's CPU goes: each part, and the whole machine's busy time per event."""
    per = 1000 / max(m.run.total, 1)
    busy_s = m.machine_busy_pct / 100 * psutil.cpu_count() * m.wall_s
    return {
        "simulator_cpu_per_event_ms": per * m.simulator_cpu_s,
        **{f"{name}_cpu_per_event_ms": per * s for name, s in m.components_cpu_s.items() if s},
        "machine_cpu_per_event_ms": per * busy_s,
    }


def peer_figures(m: Measured, prefix: str) -> Figures:
    """A peer's run (the lean one) under `prefix`: rate, latency, its CPU and its backends' CPU."""
    per_event_ = figures(m)
    return {
        f"{prefix}events_per_s": per_event_["events_per_s"],
        f"{prefix}p50_ms": per_event_["p50_ms"],
        f"{prefix}p99_ms": per_event_["p99_ms"],
        f"{prefix}cpu_ms": per_event_["cpu_per_event_ms"],
        f"{prefix}peak_rss_mb": per_event_["peak_rss_mb"],
        f"{prefix}events": per_event_["events"],
        f"{prefix}outcomes_missing": per_event_["outcomes_missing"],
        **{
            f"{prefix}{name}_cpu_ms": per_event_[key]
            for name, key in (
                ("postgres", "postgres_cpu_per_event_ms"),
                ("kafka", "kafka_cpu_per_event_ms"),
                ("simulators", "simulator_cpu_per_event_ms"),
            )
            if key in per_event_
        },
    }


def derived(f: Mapping[str, float]) -> Figures:
    """Issue 12's per-workload names: CPU ms per event by process, and the ratios to the peers."""
    out = {new: f[old] for new, old in CPU_ALIASES.items() if old in f}
    if lean := f.get("lean_events_per_s"):
        out["lean_ratio"] = f["events_per_s"] / lean
    if naive := f.get("baseline_events_per_s"):
        out["speedup"] = f["events_per_s"] / naive
    return out


def busy(before: Any, after: Any) -> float:
    """Share of the machine's CPU time (all cores) spent busy between two readings."""
    deltas = {f: getattr(after, f) - getattr(before, f) for f in before._fields}
    total = sum(deltas.values()) or 1.0
    return float(100.0 * (total - deltas["idle"] - deltas.get("iowait", 0.0)) / total)
