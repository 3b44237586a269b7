"""One meter lookup, shared by lookup requests and purchases: plan, ask, then record.

Asking happens outside any transaction (providers take up to seconds); recording re-reads the
meter under its row lock and applies the answers to what is there now, so a MARK or another
lookup that landed meanwhile is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from service.config import Institution
from service.domain.blocking import BlockTransition, block_transition, is_routing_blocked
from service.domain.broadcast import LookupPlan, plan_lookup
from service.domain.lookup_answers import apply_answers
from service.domain.provider_results import CircuitState, LookupOutcome, MeterInfo
from service.domain.routing import RoutePlan, plan_route
from service.domain.support import MeterSupport
from service.domain.support_changes import SupportChange
from service.domain.utility import ReceiverReport, resolve_utility
from service.handlers.directory import Directory
from service.handlers.fanout import fan_out, meter_info, to_answer
from service.ports.meters import MeterRepository
from service.ports.provider import LookupRequest, ProviderPort

# Routes remembered across events; each event needs its own only while it runs.
_ROUTES_KEPT = 1024


@dataclass(frozen=True, kw_only=True)
class Asked:
    """What the providers said, and when the asking started and ended."""

    plan: LookupPlan
    outcomes: Mapping[str, LookupOutcome | None]
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """The meter after the answers, and everything the handler must announce."""

    meter: MeterSupport
    changes: tuple[SupportChange, ...]
    flag_cleared: bool
    block: BlockTransition
    blocked: bool
    infos: Mapping[str, MeterInfo]


class LookupRun:
    """Plans, fans out and records lookups against the configured providers."""

    def __init__(
        self,
        *,
        directory: Directory,
        providers: Mapping[str, ProviderPort],
        clock: Callable[[], datetime],
    ) -> None:
        self._dir = directory
        self._providers = providers
        self._clock = clock
        self._routes: dict[Hashable, RoutePlan] = {}

    def route(self, meter: MeterSupport | None, institution: Institution, *, key: str) -> RoutePlan:
        """The institution's route for the meter as it stands (rule 7).

        Remembered by everything it depends on, so the handlers' several questions about one
        event's route (before asking, after recording) cost one plan while nothing changed.
        """
        circuits = {pid: self._providers[pid].circuit_state for pid in self._dir.provider_ids}
        memo = (
            institution.id,
            key,
            self._dir.routing_version,
            tuple(circuits.values()),
            meter.meter_number if meter else "",
            meter.utility_id if meter else None,
            tuple((p.provider_id, p.status) for p in meter.providers) if meter else (),
        )
        if (known := self._routes.get(memo)) is not None:
            return known
        planned = self._plan_route(meter, institution, circuits.__getitem__, key=key)
        if len(self._routes) >= _ROUTES_KEPT:
            del self._routes[next(iter(self._routes))]  # the oldest
        self._routes[memo] = planned
        return planned

    def _plan_route(
        self,
        meter: MeterSupport | None,
        institution: Institution,
        circuit: Callable[[str], CircuitState],
        *,
        key: str,
    ) -> RoutePlan:
        availability = self._dir.availability(institution, circuit)
        preferences = self._dir.preferences(
            institution,
            utility_id=meter.utility_id if meter else None,
            meter_number=meter.meter_number if meter else "",
        )
        support = meter.statuses() if meter else {}
        return plan_route(providers=availability, support=support, preferences=preferences, key=key)

    def plan(self, meter: MeterSupport | None, institution: Institution, *, key: str) -> LookupPlan:
        """Broadcast or routed-only (rule 4)."""
        return plan_lookup(
            meter=meter,
            enabled_providers=self._dir.enabled_providers(institution),
            routed_provider=lambda: self.route(meter, institution, key=key).provider,
            now=self._clock(),
            coverage_window=self._dir.coverage_window,
        )

    async def ask(self, plan: LookupPlan, request: LookupRequest) -> Asked:
        """Ask the planned providers at once, within the lookup's overall deadline."""
        started = self._clock()
        outcomes = await fan_out(
            self._providers, plan.providers, request, deadline_s=self._dir.lookup_deadline_s
        )
        return Asked(plan=plan, outcomes=outcomes, started_at=started, finished_at=self._clock())

    async def record(
        self, meters: MeterRepository, meter_number: str, institution: Institution, asked: Asked
    ) -> Recorded:
        """Apply the answers to the locked meter; utility, flag and block follow from them."""
        current = await meters.lock(meter_number)
        answers = [to_answer(p, o, at=asked.finished_at) for p, o in asked.outcomes.items()]
        applied = apply_answers(
            current, answers, at=asked.started_at, broadcast=asked.plan.broadcast
        )
        after, flag_cleared = applied.meter, applied.flag_cleared
        if current.flag is not None and current.flag.requested_at > asked.started_at:
            # Marked while we were asking: those answers predate the mark, so it stays.
            after, flag_cleared = replace(after, flag=current.flag), False
        infos = {p: i for p, o in asked.outcomes.items() if (i := meter_info(o)) is not None}
        after = await self._assign_utility(meters, after, institution, infos, asked.finished_at)
        await meters.save(after)
        blocked, block = await self._block(meters, after, institution, asked.finished_at)
        return Recorded(
            meter=after,
            changes=applied.changes,
            flag_cleared=flag_cleared,
            block=block,
            blocked=blocked,
            infos=infos,
        )

    async def _assign_utility(
        self,
        meters: MeterRepository,
        meter: MeterSupport,
        institution: Institution,
        infos: Mapping[str, MeterInfo],
        at: datetime,
    ) -> MeterSupport:
        reports = [
            ReceiverReport(
                provider_id=pid,
                receiver_id=info.receiver.id if info.receiver else None,
                receiver_name=info.receiver.name if info.receiver else info.utility.name,
            )
            for pid, info in infos.items()
        ]
        if not reports:
            return meter
        mapped = [u.id if (u := self._dir.catalogue.match(r)) else None for r in reports]
        order: tuple[str, ...] = ()
        if len({u for u in mapped if u is not None}) > 1:  # only a split vote needs the ranking
            order = (
                *self.route(meter, institution, key=meter.meter_number).order,
                *self._dir.provider_ids,
            )
        resolution = resolve_utility(
            reports,
            catalogue=self._dir.catalogue,
            provider_order=order,
            current=self._dir.utility(meter.utility_id),
        )
        await meters.record_utility_reports(meter.meter_number, reports, utility_ids=mapped, at=at)
        return replace(meter, utility_id=resolution.utility.id if resolution.utility else None)

    async def _block(
        self, meters: MeterRepository, meter: MeterSupport, institution: Institution, at: datetime
    ) -> tuple[bool, BlockTransition]:
        was = await meters.routing_blocked(meter.meter_number, institution.id)
        now = is_routing_blocked(meter, self._dir.enabled_providers(institution))
        transition = block_transition(was_blocked=was, now_blocked=now)
        if transition is not BlockTransition.NONE:
            await meters.set_routing_blocked(meter.meter_number, institution.id, blocked=now, at=at)
        return now, transition
