"""`ppu.purchase.requested`: route, vend, and answer with exactly one outcome per request.

The request first claims its purchase id for the whole switch (rule 18), before any provider
call: another request holding it, on whatever Kafka key, makes this one a copy, answered with
the first outcome (same fingerprint) or INVALID (a conflicting duplicate), never vended. An
unknown, flagged or stale meter is looked up first (this is when a rebroadcast runs). A
purchase that may have reached a provider before a crash is recovered with the retry
operation there (rule 8).

Read `__call__` top to bottom; each step names the one module it goes to:
1. admit: the institution and the normalised meter number, or INVALID (`Directory`);
2. claim the purchase id (`SwitchStore.claim_purchase`); a copy stops in `_owned`;
3. the meter: read, and looked up first when unknown, flagged or stale (`_prepare_meter`,
   with `LookupRun` to plan, ask and record);
4. the route, then per provider `Vending.send` (vending.py): the SENT mark, the call, and how
   its answer settles (issued, failed, parked as unknown, or fail over to the next);
5. the deciding transaction (`LedgerSteps`, ledger_steps.py): state, outcome event, replays to
   waiting copies and the confirmation advice, with the processed mark, in one commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from uuid import UUID

import structlog

from schemas.v1.enums import FailureOutcome, SupportCause
from schemas.v1.inputs import PurchaseRequested
from service.config import Institution
from service.domain.blocking import BlockTransition, is_routing_blocked
from service.domain.idempotency import CONFLICTING_DUPLICATE, Copy, copy_of_claim, fingerprint
from service.domain.money import Money
from service.domain.purchase_outcome import exhausted_failure
from service.domain.purchase_state import PurchaseState
from service.domain.routing import next_provider
from service.domain.support import MeterSupport
from service.engine.records import Event
from service.handlers.announce import announcements
from service.handlers.directory import Directory
from service.handlers.ledger_steps import LedgerSteps
from service.handlers.lookup_run import LookupRun
from service.handlers.outputs import Outputs
from service.handlers.refusals import INVALID_REQUEST, Refusals, Refused
from service.handlers.vending import UnitFactory, Vending
from service.ports.provider import LookupRequest
from service.ports.purchases import PurchaseRecord
from service.ports.store import SwitchStore

log = structlog.get_logger(__name__)
_NOT_SENT_YET = frozenset({PurchaseState.RECEIVED, PurchaseState.ROUTED})


class PurchaseHandler:
    """One purchase request, start to outcome (or to the recovery worker when unknown)."""

    def __init__(
        self,
        *,
        run: LookupRun,
        vending: Vending,
        steps: LedgerSteps,
        directory: Directory,
        store: SwitchStore,
        outputs: Outputs,
        clock: Callable[[], datetime],
        refusals: Refusals,
    ) -> None:
        self._refusals = refusals
        self._run = run
        self._vending = vending
        self._steps = steps
        self._dir = directory
        self._store = store
        self._outputs = outputs
        self._clock = clock

    async def __call__(self, event: Event[PurchaseRequested]) -> None:
        """Apply one purchase request."""
        request = event.payload
        structlog.contextvars.bind_contextvars(purchase_id=str(request.purchase_id))
        admitted = self._dir.admit(request.institution_id, request.meter_number)
        if isinstance(admitted, str):
            await self._invalid(event, admitted)
            return
        problem = self._dir.amount_problem(request.amount.value, request.amount.currency)
        if problem is not None:
            await self._invalid(event, problem)
            return
        institution, meter_number = admitted
        final: UnitFactory = lambda: self._store.begin(event.input)  # noqa: E731 - a factory
        claimed, purchase = await self._store.claim_purchase(
            PurchaseRecord(
                purchase_id=request.purchase_id,
                request_event_id=request.event_id,
                institution_id=institution.id,
                meter_number=meter_number,
                amount=Money(value=request.amount.value, currency=request.amount.currency),
                utility_type=request.utility_type.value,
                state=PurchaseState.RECEIVED,
            )
        )
        if not claimed and not await self._owned(event, purchase, meter_number, final):
            return
        meter = await self._prepare_meter(purchase, institution)
        route = self._run.route(meter, institution, key=str(purchase.purchase_id)).order
        current: PurchaseRecord | None = purchase
        while current is not None:
            provider_id = next_provider(route, current.tried)
            if provider_id is None:
                await self._route_exhausted(final, current, institution)
                return
            current = await self._vending.send(final, current, provider_id, route)

    async def _owned(
        self,
        event: Event[PurchaseRequested],
        held: PurchaseRecord,
        meter_number: str,
        final: UnitFactory,
    ) -> bool:
        """Whether this request owns the claim and still has to route; else it is answered."""
        request = event.payload
        copy = copy_of_claim(
            claimed_by=held.request_event_id,
            claimed_print=_print(held, held.meter_number),
            request_event_id=request.event_id,
            request_print=_print(request, meter_number),
        )
        if copy is Copy.CONFLICTING:
            refused = Refused.of(request, CONFLICTING_DUPLICATE)
            await self._refusals.answer(event.input, refused, error_type="CONFLICTING_DUPLICATE")
            return False
        if copy is Copy.SAME:
            await self._copy(final, held, request.event_id)
            return False
        if held.state is PurchaseState.SENT:
            # It may have reached the provider before a crash: only the retry operation.
            await self._vending.recover(final, held)
            return False
        return held.state in _NOT_SENT_YET

    async def _copy(self, final: UnitFactory, held: PurchaseRecord, event_id: UUID) -> None:
        """A same-fingerprint copy: the first outcome now if decided, else when it is."""
        async with final() as uow:
            if uow.already_applied:
                return
            current = await uow.purchases.get(held.purchase_id, lock=True) or held
            if current.outcome_payload is not None:
                await uow.add_output(self._steps.replay(current, for_event=event_id))
                log.info("purchase_duplicate_replayed", state=current.state.value)
            else:
                await uow.purchases.add_waiter(held.purchase_id, event_id)
                log.info("purchase_duplicate_waits", state=current.state.value)
            await uow.commit()

    async def _prepare_meter(
        self, purchase: PurchaseRecord, institution: Institution
    ) -> MeterSupport | None:
        known = await self._store.read_meter(purchase.meter_number)
        plan = self._run.plan(known, institution, key=str(purchase.purchase_id))
        if not plan.broadcast:
            return known
        asked = await self._run.ask(
            plan,
            LookupRequest(
                lookup_id=str(purchase.purchase_id),
                institution_id=institution.id,
                meter_number=purchase.meter_number,
                requested_at=self._clock(),
                utility_type=purchase.utility_type,
            ),
        )
        async with self._store.transaction() as tx:
            recorded = await self._run.record(tx.meters, purchase.meter_number, institution, asked)
            if recorded.block is BlockTransition.BLOCKED:
                # The purchase's own failure announces the block, with its purchase id.
                recorded = replace(recorded, block=BlockTransition.NONE)
            for message in announcements(
                recorded,
                outputs=self._outputs,
                directory=self._dir,
                institution=institution,
                cause=SupportCause.BROADCAST,
                at=self._clock(),
                purchase_id=purchase.purchase_id,
            ):
                await tx.add_output(message)
            await tx.commit()
        return recorded.meter

    async def _route_exhausted(
        self, final: UnitFactory, purchase: PurchaseRecord, institution: Institution
    ) -> None:
        now = self._clock()
        async with final() as uow:
            if uow.already_applied:
                return
            meter = await uow.meters.lock(purchase.meter_number)
            enabled = self._dir.enabled_providers(institution)
            blocked = is_routing_blocked(meter, enabled)
            failure = exhausted_failure(routing_blocked=blocked)
            if blocked:
                await uow.meters.set_routing_blocked(
                    purchase.meter_number, institution.id, blocked=True, at=now
                )
                await uow.add_output(
                    self._outputs.routing_block(
                        meter,
                        institution_id=institution.id,
                        blocked=True,
                        providers=enabled,
                        at=now,
                        purchase_id=purchase.purchase_id,
                    )
                )
            message = (
                "no enabled provider supports the meter"
                if blocked
                else "no provider could take the purchase"
            )
            await self._steps.failed(
                uow,
                purchase,
                outcome=FailureOutcome(failure.outcome.value),
                provider_id=None,
                error_type=failure.error_type,
                message=message,
            )
            await uow.commit()

    async def _invalid(self, event: Event[PurchaseRequested], reason: str) -> None:
        refused = Refused.of(event.payload, reason)
        await self._refusals.answer(event.input, refused, error_type=INVALID_REQUEST)


def _print(purchase: PurchaseRecord | PurchaseRequested, meter_number: str) -> str:
    return fingerprint(
        institution_id=purchase.institution_id,
        meter_number=meter_number,
        amount_value=purchase.amount.value,
        currency=purchase.amount.currency,
        utility_type=purchase.utility_type
        if isinstance(purchase.utility_type, str)
        else purchase.utility_type.value,
    )
