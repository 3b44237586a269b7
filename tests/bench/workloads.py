"""The workloads, in the order that lets each prepare the next, and the figures of each.

Broadcast lookups always run first: they make the meters known (and fresh) that the known-lookup
and purchase workloads use, and their paced run at half the maximum rate is the fault-free
reference of the fault run. The fault run comes last because it restarts the simulators with
one provider hanging. Each workload runs through the switch (at full speed, then paced at half
its maximum rate), the naive consumer and the lean peer, one after the other.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import psutil

from tests.bench.components import cpu_by_component, spent
from tests.bench.configs import MeterPool
from tests.bench.figures import (
    Figures,
    Measured,
    busy,
    derived,
    figures,
    latency_figures,
    peer_figures,
    percentile,
)
from tests.bench.probe import Cost, ResourceProbe
from tests.bench.rig import Rig
from tests.bench.stack import Child
from tests.bench.traffic import Kind, Run, Traffic

WORKLOADS = ("known_lookups", "broadcast_lookups", "purchases", "fault_run")


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Sizes and choices of one benchmark run."""

    events: int
    naive_events: int
    lean_events: int
    paced_seconds: float
    hang_share: float
    workloads: tuple[str, ...]


class Session:
    """Runs the plan's workloads on a rig."""

    def __init__(self, rig: Rig, plan: Plan) -> None:
        self.rig = rig
        self.plan = plan
        self.switch_meters = MeterPool(0)
        self.naive_meters = MeterPool(500_000_000)
        self.known: list[str] = []
        self.naive_known: list[str] = []
        self.lean_meters = MeterPool(250_000_000)
        self.lean_known: list[str] = []
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
        machine, components = psutil.cpu_times(), cpu_by_component(self.rig.backends)
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
            busy(machine, psutil.cpu_times()),
            spent(components, cpu_by_component(self.rig.backends)),
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

    async def _lean(self, label: str, kind: Kind, meters: Sequence[str]) -> Figures:
        """The lean peer on the same workload: its rate, latency and CPU, prefixed `lean_`."""
        if not meters or self.rig.lean is None or self.rig.lean_traffic is None:
            return {}
        m = await self.measure(
            self.rig.lean_traffic, [self.rig.lean], label=label, kind=kind, meters=meters
        )
        return peer_figures(m, "lean_")

    async def _paced(self, label: str, kind: Kind, meters: Sequence[str], rate: float) -> Figures:
        """The switch at `rate` (half its maximum): the latency targets' figures."""
        paced = await self._switch(f"{label} at half rate", kind, meters, rate)
        return {"paced_rate_per_s": rate} | latency_figures(paced.run.latencies_ms(), "paced_")

    def _count(self, rate: float) -> int:
        """Events for a paced run of about `paced_seconds` at `rate`."""
        return min(max(50, int(rate * self.plan.paced_seconds)), self.plan.events)

    async def warm_up(self) -> None:
        """Unmeasured lookups: consumers joined, pools and keep-alive connections open."""
        await self._switch("warm-up switch", "lookup", self.switch_meters.fresh(100))
        if self.plan.naive_events:
            await self._naive("warm-up naive", "lookup", self.naive_meters.fresh(10))
        if self.plan.lean_events:
            await self._lean("warm-up lean", "lookup", self.lean_meters.fresh(100))

    async def broadcast(self) -> Figures:
        """Unknown meters (every provider asked): max rate, the peers, then paced at half."""
        self.known = self.switch_meters.fresh(self.plan.events)
        result = figures(await self._switch("broadcast_lookups", "lookup", self.known))
        self.naive_known = self.naive_meters.fresh(self.plan.naive_events)
        result |= await self._naive("broadcast_lookups naive", "lookup", self.naive_known)
        self.lean_known = self.lean_meters.fresh(self.plan.lean_events)
        result |= await self._lean("broadcast_lookups lean", "lookup", self.lean_known)
        self.half_rate = result["events_per_s"] / 2
        paced = await self._paced(
            "broadcast_lookups", "lookup", self.paced_meters(), self.half_rate
        )
        # The half_rate_ names are the fault run's reference and older results' names.
        result |= {"half_rate_offered_per_s": self.half_rate} | paced
        result |= {k.replace("paced_", "half_rate_"): v for k, v in paced.items() if "_p" in k}
        return result

    def paced_meters(self) -> list[str]:
        """Fresh meters for a paced run of about `paced_seconds` at half the broadcast rate."""
        return self.switch_meters.fresh(self._count(self.half_rate))

    async def _known_meters(self, label: str, kind: Kind) -> Figures:
        """A workload on the broadcast's meters: switch, naive, lean, then the switch paced."""
        meters = _cycle(self.known, self.plan.events)
        result = figures(await self._switch(label, kind, meters))
        naive = _cycle(self.naive_known, self.plan.naive_events)
        result |= await self._naive(f"{label} naive", kind, naive)
        lean = _cycle(self.lean_known, self.plan.lean_events)
        result |= await self._lean(f"{label} lean", kind, lean)
        rate = result["events_per_s"] / 2
        return result | await self._paced(label, kind, meters[: self._count(rate)], rate)

    async def known_lookups(self) -> Figures:
        """Meters known and fresh: only the routed provider is asked."""
        return await self._known_meters("known_lookups", "lookup")

    async def purchases(self) -> Figures:
        """Purchases for known meters, routed to a provider that supports them."""
        return await self._known_meters("purchases", "purchase")

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
        if self.plan.lean_events:
            await self._lean("warm-up lean after restart", "lookup", self.lean_meters.fresh(20))
        fresh = self.lean_meters.fresh(self.plan.lean_events)
        result |= await self._lean("fault_run lean", "lookup", fresh)
        paced = await self._switch(
            "fault_run at half rate", "lookup", self.paced_meters(), self.half_rate
        )
        hit = paced.run.faulty_silent
        unaffected_p50 = percentile(paced.run.latencies_ms(exclude=hit), 50)
        affected = sorted(float(paced.run.out_ms[i] - paced.run.sent_ms[i]) for i in hit)
        return (
            result
            | latency_figures(paced.run.latencies_ms(), "paced_")
            | {
                "unaffected_p50_ratio": unaffected_p50 / reference_p50_ms,
                "paced_rate_per_s": self.half_rate,
                "paced_affected_share": _share(paced.run),
                "paced_unaffected_p50_ms": unaffected_p50,
                "paced_affected_p50_ms": percentile(affected, 50),
                "paced_reference_p50_ms": reference_p50_ms,
            }
        )


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
        figures_.update(derived(figures_))
    return results
