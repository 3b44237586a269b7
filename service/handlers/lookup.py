"""`ppu.lookup.requested`: who serves this meter. Every request gets a `ppu.lookup.completed`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog

from schemas.v1.enums import LookupOutcome, SupportCause
from schemas.v1.inputs import LookupRequested
from schemas.v1.meters import LookupCompleted
from schemas.v1.parts import Customer as WireCustomer
from schemas.v1.parts import Party
from service.config import Institution
from service.domain.customer import Customer, pick_customer
from service.engine.records import Event
from service.handlers.announce import announcements
from service.handlers.directory import Directory
from service.handlers.lookup_run import LookupRun, Recorded
from service.handlers.outputs import Outputs, wire_support
from service.handlers.refusals import INVALID_REQUEST, Refusals, Refused
from service.handlers.till import till_details
from service.ports.provider import LookupRequest
from service.ports.store import SwitchStore
from service.topics import Topic

log = structlog.get_logger(__name__)


class LookupHandler:
    """Plans the lookup, asks the providers, records the answers and announces the result."""

    def __init__(
        self,
        *,
        run: LookupRun,
        directory: Directory,
        store: SwitchStore,
        outputs: Outputs,
        clock: Callable[[], datetime],
        refusals: Refusals,
    ) -> None:
        self._refusals = refusals
        self._run = run
        self._dir = directory
        self._store = store
        self._outputs = outputs
        self._clock = clock

    async def __call__(self, event: Event[LookupRequested]) -> None:
        """Apply one lookup request."""
        request = event.payload
        structlog.contextvars.bind_contextvars(lookup_id=request.lookup_id)
        admitted = self._dir.admit(request.institution_id, request.meter_number)
        if isinstance(admitted, str):
            await self._invalid(event, admitted)
            return
        institution, meter_number = admitted
        known = await self._store.read_meter(meter_number)
        plan = self._run.plan(known, institution, key=request.lookup_id)
        asked = await self._run.ask(
            plan,
            LookupRequest(
                lookup_id=request.lookup_id,
                institution_id=institution.id,
                meter_number=meter_number,
                requested_at=self._clock(),
                utility_type=request.utility_type.value,
            ),
        )
        async with self._store.begin(event.input) as uow:
            if uow.already_applied:
                return
            recorded = await self._run.record(uow.meters, meter_number, institution, asked)
            cause = SupportCause.BROADCAST if plan.broadcast else SupportCause.ROUTED_LOOKUP
            now = self._clock()
            for message in announcements(
                recorded,
                outputs=self._outputs,
                directory=self._dir,
                institution=institution,
                cause=cause,
                at=now,
            ):
                await uow.add_output(message)
            completed = self._completed(
                request, institution, recorded, broadcast=plan.broadcast, at=now
            )
            await uow.add_output(
                self._outputs.message(Topic.LOOKUP_COMPLETED, meter_number, completed)
            )
            await uow.commit()
        # On the event's one INFO line (the engine's `event_processed`), not a line of its own.
        structlog.contextvars.bind_contextvars(
            lookup_outcome=completed.outcome.value, broadcast=plan.broadcast
        )
        log.debug("lookup_completed", asked=len(plan.providers), blocked=recorded.blocked)

    def _completed(
        self,
        request: LookupRequested,
        institution: Institution,
        recorded: Recorded,
        *,
        broadcast: bool,
        at: datetime,
    ) -> LookupCompleted:
        meter = recorded.meter
        route = self._run.route(meter, institution, key=request.lookup_id)
        utility = self._dir.utility(meter.utility_id)
        customer = _customer(recorded, route.order)
        till = till_details(recorded.infos, routed=route.provider, order=route.order)
        return LookupCompleted(
            event_id=self._outputs.new_id(),
            occurred_at=at,
            lookup_id=request.lookup_id,
            institution_id=institution.id,
            meter_number=meter.meter_number,
            outcome=LookupOutcome.BLOCKED if recorded.blocked else LookupOutcome.FOUND,
            utility=Party(id=utility.id, name=utility.name) if utility else None,
            customer=customer,
            providers=wire_support(meter, self._dir.enabled_providers(institution)),
            routed_provider_id=route.provider,
            broadcast=broadcast,
            reason="no enabled provider supports the meter" if recorded.blocked else None,
            min_amount=till.min_amount,
            max_amount=till.max_amount,
            arrears=till.arrears,
            free_units_due=till.free_units_due,
            details_provider_id=till.provider_id,
        )

    async def _invalid(self, event: Event[LookupRequested], reason: str) -> None:
        refused = Refused.of(event.payload, reason)
        await self._refusals.answer(event.input, refused, error_type=INVALID_REQUEST)


def _customer(recorded: Recorded, order: Sequence[str]) -> WireCustomer:
    """The first non-empty customer in routing order, as that one provider returned it."""
    customers = {
        pid: Customer(
            first_name=i.customer.first_name,
            last_name=i.customer.last_name,
            address=i.customer.address,
        )
        for pid, i in recorded.infos.items()
    }
    picked = pick_customer(customers, provider_order=order)
    return WireCustomer(
        first_name=picked.first_name, last_name=picked.last_name, address=picked.address
    )
