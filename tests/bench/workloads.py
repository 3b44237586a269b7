"""The workloads, in the order that lets each prepare the next, and the figures of each.

Broadcast lookups always run first: they make the meters known (and fresh) that the known-lookup
and purchase workloads use, and their paced run at half the maximum rate is the fault-free
reference of the fault run. The fault run comes last because it restarts the simulators with
one provider hanging.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psutil

from tests.bench.components import cpu_by_component, spent
from tests.bench.configs import MeterPool
from tests.bench.probe import Cost, ResourceProbe
from tests.bench.rig import Rig
from tests.bench.stack import Child
from tests.bench.traffic import Kind, Run, Traffic

WORKLOADS = ("known_lookups", "broadcast_lookups", "purchases", "fault_run")
Figures = dict[str, float]


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Sizes and choices of one benchmark run."""

    events: int
    naive_events: int
    paced_seconds: float
    hang_share: float
    workloads: tuple[str, ...]


@dataclass(frozen=True)
class Measured:
    """One workload run and what it cost."""

    run: Run
    cost: Cost
    simulator_cpu_s: float
    machine_busy_pct: float
    components_cpu_s: dict[str, float]
    wall_s: float


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (NaN when there are none)."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(q / 100 * len(values)) - 1)]


def latency_figures(latencies: Sequence[float], prefix: str = "") -> Figures:
    """p50/p95/p99 in ms."""
    return {f"{prefix}p{q}_ms": percentile(latencies, q) for q in (50, 95, 99)}


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
        **_per_event(m),
    }


def _per_event(m: Measured) -> Figures:
    """Where an event's CPU goes: each part, and the whole machine's busy time per event."""
    per = 1000 / max(m.run.total, 1)
    busy_s = m.machine_busy_pct / 100 * psutil.cpu_count() * m.wall_s
    return {
        "simulator_cpu_per_event_ms": per * m.simulator_cpu_s,
        **{f"{name}_cpu_per_event_ms": per * s for name, s in m.components_cpu_s.items() if s},
        "machine_cpu_per_event_ms": per * busy_s,
    }


def _busy(before: Any, after: Any) -> float:
    """Share of the machine's CPU time (all cores) spent busy between two readings."""
    deltas = {f: getattr(after, f) - getattr(before, f) for f in before._fields}
    total = sum(deltas.values()) or 1.0
    return float(100.0 * (total - deltas["idle"] - deltas.get("iowait", 0.0)) / total)


class Session:
    """Runs the plan's workloads on a rig."""

    def __init__(self, rig: Rig, plan: Plan) -> None:
        self.rig = rig
        self.plan = plan
        self.switch_meters = MeterPool(0)
        self.naive_meters = MeterPool(500_000_000)
        self.known: list[str] = []
        self.naive_known: list[str] = []
        self.half_rate = 0.0

    async def measure(
        self,
        traffic: Traffic,
        children: Sequence[Child],
        *,
        label: str,
        kind: Kind,
        meters: Sequence[str],
        rate: float | None = None,
    ) -> Measured:
        """Run one workload while probing the consumer process, the simulators and the machine."""
        pace = f" at {rate:.0f}/s" if rate else " as fast as possible"
        print(f"  {label}: {len(meters)} events{pace}", file=sys.stderr, flush=True)
        probes = [ResourceProbe(c.pid) for c in children]
        sims = ResourceProbe(self.rig.simulators.pid)
        machine, components = psutil.cpu_times(), cpu_by_component()
        started = time.monotonic()
        for probe in probes:
            probe.start()
        sims.start()
        timeout = 60 + (len(meters) / rate if rate else len(meters) / 10)
        try:
            run = await traffic.run(label, kind, meters, rate=rate, timeout_s=timeout)
        finally:
            cost = Cost.total([await probe.stop() for probe in probes])
            sim_cost = await sims.stop()
        for child in children:
            child.check_alive()
        return Measured(
            run,
            cost,
            sim_cost.cpu_s,
            _busy(machine, psutil.cpu_times()),
            spent(components, cpu_by_component()),
            time.monotonic() - started,
        )

    async def _switch(
        self, label: str, kind: Kind, meters: Sequence[str], rate: float | None = None
    ) -> Measured:
        return await self.measure(
            self.rig.switch_traffic,
            self.rig.switches,
            label=label,
            kind=kind,
            meters=meters,
            rate=rate,
        )

    async def _naive(self, label: str, kind: Kind, meters: Sequence[str]) -> Figures:
        """The naive consumer's rate on the same workload (fewer events; a rate extrapolates)."""
        if not meters:
            return {}
        m = await self.measure(
            self.rig.naive_traffic, [self.rig.naive], label=label, kind=kind, meters=meters
        )
        return {"baseline_events_per_s": m.run.events_per_s(), "baseline_events": len(meters)}

    async def warm_up(self) -> None:
        """Unmeasured lookups: consumers joined, pools and keep-alive connections open."""
        await self._switch("warm-up switch", "lookup", self.switch_meters.fresh(100))
        if self.plan.naive_events:
            await self._naive("warm-up naive", "lookup", self.naive_meters.fresh(10))

    async def broadcast(self) -> Figures:
        """Unknown meters (every provider asked): max rate, naive, then paced at half the max."""
        self.known = self.switch_meters.fresh(self.plan.events)
        result = figures(await self._switch("broadcast_lookups", "lookup", self.known))
        self.naive_known = self.naive_meters.fresh(self.plan.naive_events)
        result |= await self._naive("broadcast_lookups naive", "lookup", self.naive_known)
        self.half_rate = result["events_per_s"] / 2
        paced = await self._switch(
            "broadcast_lookups at half rate", "lookup", self.paced_meters(), self.half_rate
        )
        result |= {"half_rate_offered_per_s": self.half_rate}
        result |= latency_figures(paced.run.latencies_ms(), "half_rate_")
        return result

    def paced_meters(self) -> list[str]:
        """Fresh meters for a paced run of about `paced_seconds`."""
        count = max(50, int(self.half_rate * self.plan.paced_seconds))
        return self.switch_meters.fresh(min(count, self.plan.events))

    async def known_lookups(self) -> Figures:
        """Meters known and fresh: only the routed provider is asked."""
        meters = _cycle(self.known, self.plan.events)
        result = figures(await self._switch("known_lookups", "lookup", meters))
        naive = _cycle(self.naive_known, self.plan.naive_events)
        return result | await self._naive("known_lookups naive", "lookup", naive)

    async def purchases(self) -> Figures:
        """Purchases for known meters, routed to a provider that supports them."""
        meters = _cycle(self.known, self.plan.events)
        result = figures(await self._switch("purchases", "purchase", meters))
        naive = _cycle(self.naive_known, self.plan.naive_events)
        return result | await self._naive("purchases naive", "purchase", naive)

    async def fault_run(self, reference_p50_ms: float) -> Figures:
        """Broadcasts while one provider hangs past its timeout for a share of requests."""
        await self.rig.settle()
        await self.rig.restart_simulators(hang_share=self.plan.hang_share)
        await self._switch("warm-up after restart", "lookup", self.switch_meters.fresh(100))
        full = await self._switch("fault_run", "lookup", self.switch_meters.fresh(self.plan.events))
        result = figures(full) | {"affected_share": _share(full.run)}
        result |= await self._naive(
            "fault_run naive", "lookup", self.naive_meters.fresh(self.plan.naive_events)
        )
        paced = await self._switch(
            "fault_run at half rate", "lookup", self.paced_meters(), self.half_rate
        )
        hit = paced.run.faulty_silent
        unaffected_p50 = percentile(paced.run.latencies_ms(exclude=hit), 50)
        affected = sorted(float(paced.run.out_ms[i] - paced.run.sent_ms[i]) for i in hit)
        result |= {
            "unaffected_p50_ratio": unaffected_p50 / reference_p50_ms,
            "paced_rate_per_s": self.half_rate,
            "paced_affected_share": _share(paced.run),
            "paced_unaffected_p50_ms": unaffected_p50,
            "paced_affected_p50_ms": percentile(affected, 50),
            "paced_reference_p50_ms": reference_p50_ms,
        }
        return result


def _share(run: Run) -> float:
    """Share of the outcomes whose lookup the faulty provider left unanswered."""
    return len(run.faulty_silent) / max(len(run.out_ms), 1)


def _cycle(meters: Sequence[str], count: int) -> list[str]:
    """`count` meters from `meters`, repeating them when there are fewer."""
    return [meters[n % len(meters)] for n in range(count)] if meters else []


async def run_workloads(rig: Rig, plan: Plan) -> dict[str, Figures]:
    """Every planned workload's figures, by workload name."""
    session = Session(rig, plan)
    await session.warm_up()
    results: dict[str, Figures] = {}
    broadcast = await session.broadcast()
    if "broadcast_lookups" in plan.workloads:
        results["broadcast_lookups"] = broadcast
    if "known_lookups" in plan.workloads:
        results["known_lookups"] = await session.known_lookups()
    if "purchases" in plan.workloads:
        results["purchases"] = await session.purchases()
    if "fault_run" in plan.workloads:
        results["fault_run"] = await session.fault_run(broadcast["half_rate_p50_ms"])
    for figures_ in results.values():
        if baseline := figures_.get("baseline_events_per_s"):
            figures_["speedup"] = figures_["events_per_s"] / baseline
    return results
