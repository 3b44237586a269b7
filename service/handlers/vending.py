"""Sending a purchase to providers and recovering unknown outcomes (rules 7, 8, 9, 16).

Before a request leaves for a provider, the ledger durably says SENT to that provider: a crash
after that point can only be resolved with the retry operation at that same provider, never
with a new purchase. A definite "meter not supported" moves on to the next routed provider.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime, timedelta

import structlog

from schemas.v1.enums import FailureOutcome
from service.domain.backoff import Backoff
from service.domain.lookup_answers import AnswerKind
from service.domain.provider_results import Failed, FailureKind, PurchaseOutcome, Succeeded
from service.domain.purchase_outcome import (
    AttemptResult,
    FailPurchase,
    decide_after_failure,
    decide_after_retry_failure,
)
from service.domain.purchase_state import PurchaseState, transition
from service.domain.unknown_outcome import (
    GiveUpUnknown,
    RetryBudget,
    decide_after_unknown,
    held_back,
)
from service.handlers.directory import Directory
from service.handlers.ledger_steps import LedgerSteps
from service.ports.provider import ProviderPort, PurchaseRequest
from service.ports.purchases import PurchaseRecord
from service.ports.store import SwitchStore, SwitchUnitOfWork

log = structlog.get_logger(__name__)
UnitFactory = Callable[[], AbstractAsyncContextManager[SwitchUnitOfWork]]

_NOT_SENT = frozenset(
    {
        FailureKind.UNREACHABLE,
        FailureKind.CIRCUIT_OPEN,
        FailureKind.BULKHEAD_FULL,
        FailureKind.UNAVAILABLE,
        FailureKind.CLIENT_ERROR,
    }
)


def attempt_result(failed: Failed) -> AttemptResult:
    """A definite failure as the purchase rules see it."""
    if failed.kind is FailureKind.NOT_SUPPORTED:
        return AttemptResult.NOT_SUPPORTED
    if failed.kind is FailureKind.METER_BLOCKED:
        return AttemptResult.METER_ID_BLOCKED
    if failed.kind in _NOT_SENT:
        return AttemptResult.NOT_SENT
    return AttemptResult.DECLINED


def budget_from(directory: Directory) -> RetryBudget:
    """The unknown-outcome retry budget of the configuration."""
    rules = directory.rules
    first = timedelta(seconds=rules.unknown_backoff_s)
    return RetryBudget(
        max_retries=rules.unknown_retries,
        deadline=timedelta(seconds=rules.unknown_deadline_s),
        backoff=Backoff(first=first, cap=max(first, timedelta(seconds=60))),
    )


class Vending:
    """Runs a purchase against its route, and retries unknown ones at the same provider."""

    def __init__(
        self,
        *,
        directory: Directory,
        providers: Mapping[str, ProviderPort],
        store: SwitchStore,
        steps: LedgerSteps,
        clock: Callable[[], datetime],
    ) -> None:
        self._dir = directory
        self._providers = providers
        self._store = store
        self._steps = steps
        self._clock = clock
        self._budget = budget_from(directory)

    @staticmethod
    def request(purchase: PurchaseRecord, at: datetime) -> PurchaseRequest:
        """The provider request; the purchase id is the wire id, so a retry resends it."""
        return PurchaseRequest(
            purchase_id=str(purchase.purchase_id),
            institution_id=purchase.institution_id,
            meter_number=purchase.meter_number,
            amount=purchase.amount,
            requested_at=at,
            utility_type=purchase.utility_type,
        )

    async def send(
        self, final: UnitFactory, purchase: PurchaseRecord, provider_id: str, route: tuple[str, ...]
    ) -> PurchaseRecord | None:
        """Send to one provider; returns the purchase to fail over with, or None when decided."""
        state = purchase.state
        if state is not PurchaseState.ROUTED:
            state = transition(state, PurchaseState.ROUTED)
        sent = replace(
            purchase,
            state=transition(state, PurchaseState.SENT),
            provider_id=provider_id,
            tried=(*purchase.tried, provider_id),
        )
        # One autocommit statement (not BEGIN, write, COMMIT): it is just as durable on return.
        await self._store.save_purchase(sent)
        outcome = await self._providers[provider_id].purchase_token(
            self.request(sent, self._clock())
        )
        return await self._settle_first(final, sent, outcome, route)

    async def _settle_first(
        self,
        final: UnitFactory,
        sent: PurchaseRecord,
        outcome: PurchaseOutcome,
        route: tuple[str, ...],
    ) -> PurchaseRecord | None:
        provider_id = sent.provider_id or ""
        if isinstance(outcome, Succeeded):
            async with final() as uow:
                await self._steps.issued(uow, sent, outcome.value)
                await self._attempt(uow, sent, "PURCHASE", outcome)
                await uow.commit()
            return None
        if not isinstance(outcome, Failed):
            await self._park(final, sent, outcome, retries_made=0)
            return None
        decision = decide_after_failure(
            attempt_result(outcome),
            route=route,
            tried=sent.tried,
            error_type=outcome.error.error_type if outcome.error else None,
        )
        if isinstance(decision, FailPurchase):
            async with final() as uow:
                await self._steps.failed(
                    uow,
                    sent,
                    outcome=FailureOutcome(decision.outcome.value),
                    provider_id=provider_id,
                    error_type=decision.error_type,
                    message=_message(outcome),
                )
                await self._attempt(uow, sent, "PURCHASE", outcome)
                await uow.commit()
            return None
        # Fail over (or run out of route): nothing was vended at this provider.
        async with self._store.transaction() as tx:
            if decision.mark_not_supported:
                await self._steps.record_support(
                    tx, sent.meter_number, provider_id, AnswerKind.NOT_SUPPORTED
                )
            await self._attempt(tx, sent, "PURCHASE", outcome)
            failed_over = replace(sent, state=transition(sent.state, PurchaseState.ROUTED))
            await tx.purchases.save(failed_over)
            await tx.commit()
        log.info(
            "purchase_failover", from_provider=provider_id, result=attempt_result(outcome).value
        )
        return failed_over

    async def recover(self, final: UnitFactory, purchase: PurchaseRecord) -> None:
        """One retry operation at the purchase's provider, same purchase id (rule 8)."""
        provider_id = purchase.provider_id or ""
        outcome = await self._providers[provider_id].retry_purchase(
            self.request(purchase, self._clock())
        )
        if isinstance(outcome, Succeeded):
            async with final() as uow:
                await self._steps.issued(uow, purchase, outcome.value)
                await self._attempt(uow, purchase, "RETRY", outcome)
                await uow.commit()
            return
        if isinstance(outcome, Failed):
            decision = decide_after_retry_failure(
                attempt_result(outcome),
                error_type=outcome.error.error_type if outcome.error else None,
            )
            if decision is not None:
                async with final() as uow:
                    await self._steps.failed(
                        uow,
                        purchase,
                        outcome=FailureOutcome(decision.outcome.value),
                        provider_id=provider_id,
                        error_type=decision.error_type,
                        message=_message(outcome),
                    )
                    await self._attempt(uow, purchase, "RETRY", outcome)
                    await uow.commit()
                return
        # Only a retry that reached the provider spends the budget (rule 22); one the breaker
        # or the bulkhead held back, or that found nobody listening, waits for the next turn.
        spent = 0 if isinstance(outcome, Failed) and held_back(outcome.kind) else 1
        await self._park(final, purchase, outcome, retries_made=purchase.retries_made + spent)

    async def _park(
        self,
        final: UnitFactory,
        purchase: PurchaseRecord,
        outcome: PurchaseOutcome,
        *,
        retries_made: int,
    ) -> None:
        now = self._clock()
        first = purchase.first_unknown_at or now
        decision = decide_after_unknown(
            provider_id=purchase.provider_id or "",
            purchase_id=str(purchase.purchase_id),
            retries_made=retries_made,
            first_unknown_at=first,
            now=now,
            budget=self._budget,
        )
        parked = replace(purchase, retries_made=retries_made, first_unknown_at=first)
        async with final() as uow:
            if isinstance(decision, GiveUpUnknown):
                if parked.state is not PurchaseState.UNKNOWN:
                    parked = replace(parked, state=transition(parked.state, PurchaseState.UNKNOWN))
                await self._steps.give_up(uow, parked)
            else:
                await self._steps.unknown(uow, parked, retry_at=decision.not_before)
            await self._attempt(uow, purchase, "RETRY" if retries_made else "PURCHASE", outcome)
            await uow.commit()
        log.info(
            "purchase_unknown",
            retries_made=retries_made,
            gave_up=isinstance(decision, GiveUpUnknown),
        )

    @staticmethod
    async def _attempt(
        uow: SwitchUnitOfWork, purchase: PurchaseRecord, operation: str, outcome: PurchaseOutcome
    ) -> None:
        # Callers keep the attempt after the ledger step's reads: a write held back until the
        # unit's last statement then costs no round trip of its own.
        error = None if isinstance(outcome, Succeeded) else outcome.error
        kind = "" if isinstance(outcome, Succeeded) else f":{outcome.kind.value}"
        await uow.purchases.add_attempt(
            purchase.purchase_id,
            provider_id=purchase.provider_id or "",
            operation=operation,
            result=f"{type(outcome).__name__.upper()}{kind}",
            http_status=outcome.status,
            error_type=error.error_type if error else None,
        )


def _message(failed: Failed) -> str:
    detail = failed.error
    if detail is not None and detail.message:
        return detail.message
    return f"the provider declined ({failed.kind.value})"
