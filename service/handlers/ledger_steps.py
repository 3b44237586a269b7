"""Ledger steps that end or park a purchase, each inside the transaction it is given.

Every step first locks the purchase row and does nothing if an outcome was already decided,
so one purchase gets exactly one outcome event whoever (handler or recovery worker) gets there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import structlog

from schemas import model_for
from schemas.v1.enums import FailureOutcome, SupportCause
from schemas.v1.purchases import PurchaseFailed, TokenIssued
from service.domain.advice import AdviceKind
from service.domain.lookup_answers import AnswerKind, LookupAnswer, apply_answers
from service.domain.provider_results import PurchaseReceipt
from service.domain.purchase_state import OUTCOME_STATES, PurchaseState, transition
from service.domain.support import MeterSupport, SupportStatus
from service.domain.unknown_outcome import REVERSAL_REASON
from service.domain.utility import ReceiverReport, UtilityRef
from service.handlers.directory import Directory
from service.handlers.outputs import Outputs
from service.handlers.purchase_events import purchase_failed, token_issued
from service.ports.purchases import PurchaseRecord
from service.ports.store import SwitchUnitOfWork
from service.ports.unit_of_work import OutboxMessage
from service.topics import Topic

log = structlog.get_logger(__name__)
SUPPORTED = SupportStatus.SUPPORTED


class LedgerSteps:
    """Writes a purchase's decisive moments: issued, failed, unknown, given up."""

    def __init__(
        self, *, directory: Directory, outputs: Outputs, clock: Callable[[], datetime]
    ) -> None:
        self._dir = directory
        self._outputs = outputs
        self._clock = clock

    async def _open(self, uow: SwitchUnitOfWork, purchase: PurchaseRecord) -> PurchaseRecord | None:
        current = await uow.purchases.get(purchase.purchase_id, lock=True)
        if current is not None and current.state in OUTCOME_STATES:
            log.info("purchase_already_decided", state=current.state.value)
            return None
        return current or purchase

    async def record_support(
        self, uow: SwitchUnitOfWork, meter_number: str, provider_id: str, kind: AnswerKind
    ) -> MeterSupport:
        """What a purchase answer proved about support (cause PURCHASE); the meter after it."""
        now = self._clock()
        meter = await uow.meters.lock(meter_number)
        if kind is AnswerKind.SUPPORTED and meter.support_of(provider_id).status is SUPPORTED:
            # Confirmed already: every sale would otherwise rewrite the row and announce it.
            return meter
        answer = LookupAnswer(provider_id=provider_id, kind=kind, answered_at=now)
        applied = apply_answers(meter, [answer], at=now, broadcast=False)
        await uow.meters.save(applied.meter)
        for message in self._outputs.support_updates(
            meter_number, applied.changes, cause=SupportCause.PURCHASE, at=now
        ):
            await uow.add_output(message)
        return applied.meter

    async def issued(
        self, uow: SwitchUnitOfWork, purchase: PurchaseRecord, receipt: PurchaseReceipt
    ) -> bool:
        """Tokens: `ppu.token.issued`, and a confirmation advice where the provider takes one."""
        current = await self._open(uow, purchase)
        if current is None:
            return False
        provider_id = purchase.provider_id or ""
        meter = await self.record_support(
            uow, purchase.meter_number, provider_id, AnswerKind.SUPPORTED
        )
        utility = self._receiver(receipt, provider_id) or self._dir.utility(meter.utility_id)
        event = token_issued(
            self._outputs,
            purchase,
            receipt,
            provider_name=self._dir.provider_name(provider_id),
            utility=utility,
            zero_rated=self._dir.zero_rated_receipts(utility.id if utility else None),
            at=self._clock(),
        )
        state = transition(current.state, PurchaseState.ISSUED)
        if self._dir.takes_confirmations(provider_id):
            state = transition(state, PurchaseState.CONFIRMATION_PENDING)
            await uow.purchases.queue_advice(
                advice_id=uuid.uuid4(),
                purchase_id=purchase.purchase_id,
                provider_id=provider_id,
                kind=AdviceKind.CONFIRMATION,
                reason=None,
                at=self._clock(),
            )
        await self._decide(
            uow, replace(purchase, state=state), Topic.TOKEN_ISSUED, event, current.waiters
        )
        return True

    async def failed(
        self,
        uow: SwitchUnitOfWork,
        purchase: PurchaseRecord,
        *,
        outcome: FailureOutcome,
        provider_id: str | None,
        error_type: str,
        message: str,
    ) -> bool:
        """No token: `ppu.purchase.failed` with the reason."""
        current = await self._open(uow, purchase)
        if current is None:
            return False
        event = purchase_failed(
            self._outputs,
            purchase,
            outcome=outcome,
            provider_id=provider_id,
            error_type=error_type,
            message=message,
            at=self._clock(),
        )
        state = transition(current.state, PurchaseState.FAILED)
        await self._decide(
            uow, replace(purchase, state=state), Topic.PURCHASE_FAILED, event, current.waiters
        )
        return True

    async def unknown(
        self, uow: SwitchUnitOfWork, purchase: PurchaseRecord, *, retry_at: datetime
    ) -> None:
        """Park an unknown purchase for the retry operation at the same provider (rule 8)."""
        current = await self._open(uow, purchase)
        if current is None:
            return
        state = (
            current.state
            if current.state is PurchaseState.UNKNOWN
            else transition(current.state, PurchaseState.UNKNOWN)
        )
        await uow.purchases.save(
            replace(
                purchase,
                state=state,
                first_unknown_at=purchase.first_unknown_at or self._clock(),
                next_retry_at=retry_at,
            )
        )

    async def give_up(self, uow: SwitchUnitOfWork, purchase: PurchaseRecord) -> bool:
        """Still unknown after the budget: UNKNOWN outcome and a reversal advice (rule 8)."""
        current = await self._open(uow, purchase)
        if current is None:
            return False
        provider_id = purchase.provider_id or ""
        event = purchase_failed(
            self._outputs,
            purchase,
            outcome=FailureOutcome.UNKNOWN,
            provider_id=provider_id,
            error_type="OUTCOME_UNKNOWN",
            message="the provider's outcome stayed unknown after every retry",
            at=self._clock(),
        )
        state = transition(current.state, PurchaseState.REVERSAL_PENDING)
        await uow.purchases.queue_advice(
            advice_id=uuid.uuid4(),
            purchase_id=purchase.purchase_id,
            provider_id=provider_id,
            kind=AdviceKind.REVERSAL,
            reason=REVERSAL_REASON,
            at=self._clock(),
        )
        await self._decide(
            uow, replace(purchase, state=state), Topic.PURCHASE_FAILED, event, current.waiters
        )
        return True

    async def _decide(
        self,
        uow: SwitchUnitOfWork,
        purchase: PurchaseRecord,
        topic: Topic,
        event: TokenIssued | PurchaseFailed,
        waiters: tuple[uuid.UUID, ...],
    ) -> None:
        payload = event.model_dump(mode="json")
        decided = replace(
            purchase, outcome_topic=topic.value, outcome_payload=payload, next_retry_at=None
        )
        await uow.purchases.save(decided)
        await uow.add_output(self._outputs.message(topic, purchase.meter_number, event))
        for waiter in waiters:
            # Same-fingerprint copies that came while this purchase was undecided (rule 18).
            await uow.add_output(self.replay(decided, for_event=waiter))
        structlog.contextvars.bind_contextvars(purchase_outcome=purchase.state.value)
        log.debug(
            "purchase_decided", topic=topic.value, state=purchase.state.value, copies=len(waiters)
        )

    def replay(self, decided: PurchaseRecord, *, for_event: uuid.UUID) -> OutboxMessage:
        """The decided outcome again for a copy of the request (rule 14), under an id derived
        from the copy's event id, so a redelivered copy's replay is the same event."""
        topic = Topic(decided.outcome_topic or Topic.PURCHASE_FAILED.value)
        event_id = uuid.uuid5(for_event, "purchase-outcome-replay")
        event = model_for(topic.value).model_validate(
            {**(decided.outcome_payload or {}), "event_id": str(event_id)}
        )
        return self._outputs.message(topic, decided.meter_number, event)

    def _receiver(self, receipt: PurchaseReceipt, provider_id: str) -> UtilityRef | None:
        receiver = receipt.receiver
        name = receiver.name if receiver else receipt.utility.name
        report = ReceiverReport(
            provider_id=provider_id,
            receiver_id=receiver.id if receiver else None,
            receiver_name=name,
        )
        return self._dir.catalogue.match(report)
