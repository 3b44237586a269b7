"""A provider port decorator that times and classifies every call for the metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from service.domain import provider_results as r
from service.observability.recorder import ProviderRecorder
from service.ports import provider as port

OutcomeT = TypeVar("OutcomeT")


class ObservedProvider:
    """Implements `ProviderPort` around another provider; answers pass through unchanged."""

    def __init__(self, inner: port.ProviderPort, recorder: ProviderRecorder) -> None:
        self._inner = inner
        self._recorder = recorder

    @property
    def provider_id(self) -> str:
        """The wrapped provider's id."""
        return self._inner.provider_id

    @property
    def circuit_state(self) -> r.CircuitState:
        """The wrapped provider's circuit state."""
        return self._inner.circuit_state

    @property
    def not_offered(self) -> frozenset[str]:
        """Optional operations the wrapped provider does not offer."""
        return self._inner.not_offered

    async def _timed(self, operation: str, call: Callable[[], Awaitable[OutcomeT]]) -> OutcomeT:
        started = time.monotonic()
        outcome = await call()
        self._recorder.record(outcome, operation=operation, latency_s=time.monotonic() - started)
        return outcome

    async def lookup_meter(self, request: port.LookupRequest) -> r.LookupOutcome:
        """Look a meter up, timed."""
        return await self._timed("lookup", lambda: self._inner.lookup_meter(request))

    async def purchase_token(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """Send a purchase, timed."""
        return await self._timed("purchase", lambda: self._inner.purchase_token(request))

    async def retry_purchase(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """Resend a purchase on the retry path, timed."""
        return await self._timed("retry", lambda: self._inner.retry_purchase(request))

    async def confirm_purchase(self, advice: port.ConfirmationAdvice) -> r.AdviceOutcome:
        """Deliver a confirmation advice, timed."""
        return await self._timed("confirm", lambda: self._inner.confirm_purchase(advice))

    async def reverse_purchase(self, advice: port.ReversalAdvice) -> r.AdviceOutcome:
        """Deliver a reversal advice, timed."""
        return await self._timed("reverse", lambda: self._inner.reverse_purchase(advice))
