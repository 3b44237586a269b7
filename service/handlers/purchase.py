"""`ppu.purchase.requested`: route, vend, and answer with exactly one outcome per purchase id.

An unknown, flagged or stale meter is looked up first (this is when a rebroadcast runs). A
purchase id seen before never vends again (rule 14): a duplicate request gets the first
outcome re-published, and one that may have reached a provider is recovered with the retry
operation there (rule 8).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import structlog

from schemas import canonical_bytes, model_for
from schemas.v1.enums import FailureOutcome, SupportCause
from schemas.v1.inputs import PurchaseRequested
from schemas.v1.purchases import ErrorInfo, PurchaseFailed
from service.config import Institution
from service.domain.blocking import BlockTransition, is_routing_blocked
from service.domain.money import Money
from service.domain.purchase_outcome import exhausted_failure
from service.domain.purchase_state import OUTCOME_STATES, PurchaseState
from service.domain.routing import next_provider
from service.domain.support import MeterSupport
from service.engine.records import Event
from service.handlers.announce import announcements, answer_once
from service.handlers.directory import Directory
from service.handlers.ledger_steps import LedgerSteps
from service.handlers.lookup_run import LookupRun
from service.handlers.outputs import Outputs
from service.handlers.vending import UnitFactory, Vending
from service.ports.provider import LookupRequest
from service.ports.purchases import PurchaseRecord
from service.ports.store import SwitchStore
from service.ports.unit_of_work import OutboxMessage
from service.topics import Topic

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
    ) -> None:
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
        institution, meter_number = admitted
        final: UnitFactory = lambda: self._store.begin(event.input)  # noqa: E731 - a factory
        existing = await self._store.read_purchase(request.purchase_id)
        if existing is not None and existing.state not in _NOT_SENT_YET:
            await self._seen_before(event, existing, final)
            return
        purchase = existing or PurchaseRecord(
            purchase_id=request.purchase_id,
            request_event_id=request.event_id,
            institution_id=institution.id,
            meter_number=meter_number,
            amount=Money(value=request.amount.value, currency=request.amount.currency),
            utility_type=request.utility_type.value,
            state=PurchaseState.RECEIVED,
        )
        meter = await self._prepare_meter(purchase, institution)
        route = self._run.route(meter, institution, key=str(purchase.purchase_id)).order
        current: PurchaseRecord | None = purchase
        while current is not None:
            provider_id = next_provider(route, current.tried)
            if provider_id is None:
                await self._route_exhausted(final, current, institution)
                return
            current = await self._vending.send(final, current, provider_id, route)

    async def _seen_before(
        self, event: Event[PurchaseRequested], existing: PurchaseRecord, final: UnitFactory
    ) -> None:
        if existing.state is PurchaseState.SENT:
            # It may have reached the provider before a crash: only the retry operation.
            await self._vending.recover(final, existing)
            return
        async with final() as uow:
            if uow.already_applied:
                return
            duplicate = existing.request_event_id != event.payload.event_id
            if duplicate and existing.state in OUTCOME_STATES and existing.outcome_payload:
                await uow.add_output(self._replay(existing))
                log.info("purchase_duplicate_replayed", state=existing.state.value)
            await uow.commit()

    def _replay(self, existing: PurchaseRecord) -> OutboxMessage:
        topic = Topic(existing.outcome_topic or Topic.PURCHASE_FAILED.value)
        payload = {**(existing.outcome_payload or {}), "event_id": str(self._outputs.new_id())}
        event = model_for(topic.value).model_validate(payload)
        return OutboxMessage(
            topic=f"{self._outputs.prefix}{topic.value}",
            key=existing.meter_number,
            event_id=event.event_id,
            payload=canonical_bytes(event),
        )

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
        request = event.payload
        failed = PurchaseFailed(
            event_id=self._outputs.new_id(),
            occurred_at=self._clock(),
            purchase_id=request.purchase_id,
            institution_id=request.institution_id,
            meter_number=request.meter_number,
            outcome=FailureOutcome.INVALID,
            provider_id=None,
            error=ErrorInfo(type="INVALID_REQUEST", message=reason),
        )
        message = self._outputs.message(Topic.PURCHASE_FAILED, request.meter_number or None, failed)
        await answer_once(self._store, event.input, message)
        log.info("purchase_invalid", reason=reason)
