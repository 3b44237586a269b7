"""Background work that survives restarts because its queue is the ledger in PostgreSQL.

- Recovery: unknown purchases get the retry operation at the same provider on their schedule
  (rule 8) until tokens come back, a definite answer arrives, or the budget is spent.
- Advices: confirmations and reversals are resent until the provider gives a final answer
  (rule 13), oldest first per purchase.
Rows are leased (their next time pushed past the call's timeout) as they are claimed, so
several instances never work on one row at once, and a crashed instance's lease simply runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from service.domain.advice import (
    AdviceAnswer,
    AdviceKind,
    AdvicePolicy,
    classify_advice_status,
    needs_alert,
    next_attempt_at,
)
from service.domain.backoff import Backoff
from service.domain.provider_results import AdviceOutcome, Failed, Succeeded
from service.domain.purchase_state import PurchaseState, can_transition
from service.handlers.vending import Vending
from service.ports.provider import ConfirmationAdvice, ProviderPort, ReversalAdvice, ReversalReason
from service.ports.purchases import AdviceRecord
from service.ports.store import SwitchStore, SwitchUnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True, kw_only=True)
class WorkerSettings:
    """How often the workers look for due rows and how long a claim lasts."""

    poll_s: float = 0.2
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50


async def _every(stop: asyncio.Event, seconds: float, work: Callable[[], Awaitable[int]]) -> None:
    while not stop.is_set():
        try:
            done = await work()
        except Exception as exc:  # a worker must outlive database and provider outages
            log.warning("worker_round_failed", error=f"{type(exc).__name__}: {exc}")
            done = 0
        if not done:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=seconds)


class RecoveryWorker:
    """Retries unknown purchases when they are due."""

    def __init__(
        self,
        *,
        store: SwitchStore,
        vending: Vending,
        clock: Callable[[], datetime],
        settings: WorkerSettings,
    ) -> None:
        self._store = store
        self._vending = vending
        self._clock = clock
        self._settings = settings

    async def run(self, stop: asyncio.Event) -> None:
        """Work until stopped."""
        await _every(stop, self._settings.poll_s, self.round)

    async def round(self) -> int:
        """Claim the due purchases and retry each once; returns how many were due."""
        async with self._store.transaction() as tx:
            due = await tx.purchases.claim_unknown(
                now=self._clock(), lease=self._settings.lease, limit=self._settings.batch
            )
            await tx.commit()
        results = await asyncio.gather(
            *(self._vending.recover(self._store.transaction, p) for p in due),
            return_exceptions=True,
        )
        for purchase, result in zip(due, results, strict=True):
            if isinstance(result, Exception):
                log.warning(
                    "recovery_failed",
                    purchase_id=str(purchase.purchase_id),
                    error=f"{type(result).__name__}: {result}",
                )
        return len(due)


_PENDING_SENT = {
    AdviceKind.CONFIRMATION: (PurchaseState.CONFIRMATION_PENDING, PurchaseState.CONFIRMATION_SENT),
    AdviceKind.REVERSAL: (PurchaseState.REVERSAL_PENDING, PurchaseState.REVERSAL_SENT),
}
_ACKNOWLEDGED = {
    AdviceKind.CONFIRMATION: PurchaseState.CONFIRMATION_ACKNOWLEDGED,
    AdviceKind.REVERSAL: PurchaseState.REVERSAL_ACKNOWLEDGED,
}


def advice_answer(outcome: AdviceOutcome) -> AdviceAnswer:
    """Final (delivered or rejected) or to be resent."""
    if isinstance(outcome, Succeeded):
        return AdviceAnswer.DELIVERED
    if isinstance(outcome, Failed):
        error_type = outcome.error.error_type if outcome.error else None
        return classify_advice_status(outcome.status, error_type=error_type)
    return AdviceAnswer.RESEND


class AdviceWorker:
    """Delivers confirmation and reversal advices until each gets a final answer."""

    def __init__(
        self,
        *,
        store: SwitchStore,
        providers: Mapping[str, ProviderPort],
        clock: Callable[[], datetime],
        settings: WorkerSettings,
        backoff: Backoff,
    ) -> None:
        self._store = store
        self._providers = providers
        self._clock = clock
        self._settings = settings
        self._policy = AdvicePolicy(backoff=backoff)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until stopped."""
        await _every(stop, self._settings.poll_s, self.round)

    async def round(self) -> int:
        """Claim due advices, send each once, record the answers; returns how many were due."""
        async with self._store.transaction() as tx:
            due = await tx.purchases.claim_advices(
                now=self._clock(), lease=self._settings.lease, limit=self._settings.batch
            )
            await tx.commit()
        sent = await asyncio.gather(*(self._deliver(a) for a in due), return_exceptions=True)
        answered: list[tuple[AdviceRecord, AdviceOutcome]] = []
        for advice, result in zip(due, sent, strict=True):
            if isinstance(result, BaseException):
                log.warning(
                    "advice_failed",
                    advice_id=str(advice.advice_id),
                    error=f"{type(result).__name__}: {result}",
                )
            elif result is not None:
                answered.append((advice, result))
        if answered:
            # One transaction for the round: a failure leaves every advice of it leased, and
            # each is resent when its lease runs out, which an advice may always be.
            await self._record(answered)
        return len(due)

    async def _deliver(self, advice: AdviceRecord) -> AdviceOutcome | None:
        provider = self._providers.get(advice.provider_id)
        if provider is None:
            log.error("advice_provider_unknown", provider_id=advice.provider_id)
            return None
        outcome = await self._send(provider, advice)
        answer = advice_answer(outcome)
        if answer is AdviceAnswer.RESEND and needs_alert(advice.attempts, self._policy):
            # Store-and-forward never drops an advice; an operator must hear of a stuck one.
            log.error(
                "advice_undeliverable",
                advice_id=str(advice.advice_id),
                kind=advice.kind.value,
                attempts=advice.attempts,
                status=outcome.status,
            )
        log.info(
            "advice_attempt",
            advice_id=str(advice.advice_id),
            kind=advice.kind.value,
            answer=answer.value,
            attempts=advice.attempts,
        )
        return outcome

    async def _send(self, provider: ProviderPort, advice: AdviceRecord) -> AdviceOutcome:
        at = self._clock()
        if advice.kind is AdviceKind.CONFIRMATION:
            return await provider.confirm_purchase(
                ConfirmationAdvice(
                    advice_id=str(advice.advice_id),
                    purchase_id=str(advice.purchase_id),
                    advised_at=at,
                )
            )
        return await provider.reverse_purchase(
            ReversalAdvice(
                advice_id=str(advice.advice_id),
                purchase_id=str(advice.purchase_id),
                advised_at=at,
                reason=ReversalReason(advice.reason or "TIMEOUT"),
            )
        )

    async def _record(self, answered: list[tuple[AdviceRecord, AdviceOutcome]]) -> None:
        now = self._clock()
        # Purchase rows are locked in one order, so two rounds can never wait on each other.
        ordered = sorted(answered, key=lambda pair: pair[0].purchase_id)
        async with self._store.transaction() as tx:
            for advice, outcome in ordered:
                await self._record_one(tx, advice, outcome, now)
            await tx.commit()

    async def _record_one(
        self, tx: SwitchUnitOfWork, advice: AdviceRecord, outcome: AdviceOutcome, now: datetime
    ) -> None:
        answer = advice_answer(outcome)
        pending, sent = _PENDING_SENT[advice.kind]
        purchase = await tx.purchases.get(advice.purchase_id, lock=True)
        await tx.purchases.finish_advice(
            advice.advice_id,
            state="PENDING" if answer is AdviceAnswer.RESEND else answer.value,
            status=outcome.status,
            error=None if isinstance(outcome, Succeeded) else outcome.kind.value,
            at=now,
            next_attempt_at=next_attempt_at(
                attempts_made=advice.attempts, last_attempt_at=now, policy=self._policy
            )
            if answer is AdviceAnswer.RESEND
            else None,
        )
        if purchase is not None and purchase.state is pending and can_transition(pending, sent):
            final = _ACKNOWLEDGED[advice.kind] if answer.final else pending
            await tx.purchases.save(replace(purchase, state=final))
