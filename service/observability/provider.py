"""Decorators that feed the metrics: a provider port that times and classifies every call, and a
publisher that counts the output events it published."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from opentelemetry import trace

from service.domain import provider_results as r
from service.engine.publishing import Publisher
from service.observability.instruments import Instruments
from service.observability.recorder import ProviderRecorder, answer_class
from service.observability.window import AnswerClass
from service.ports import provider as port
from service.ports.unit_of_work import OutboxMessage

OutcomeT = TypeVar("OutcomeT")


class ObservedProvider:
    """Implements `ProviderPort` around another provider; answers pass through unchanged."""

    def __init__(
        self,
        inner: port.ProviderPort,
        recorder: ProviderRecorder,
        instruments: Instruments | None = None,
        *,
        tracer: trace.Tracer | None = None,
    ) -> None:
        self._inner = inner
        self._recorder = recorder
        self._instruments = instruments
        self._tracer = tracer

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
        if self._tracer is None:
            return await self._counted(operation, call)
        with self._tracer.start_as_current_span(
            f"provider {operation}",
            kind=trace.SpanKind.CLIENT,
            attributes={"ppu.provider.id": self.provider_id, "ppu.provider.operation": operation},
        ) as span:
            outcome = await self._counted(operation, call)
            answer, timed_out = answer_class(outcome)
            span.set_attribute("ppu.provider.answer", answer.value)
            if answer is AnswerClass.UNKNOWN:
                span.set_status(trace.StatusCode.ERROR, "timeout" if timed_out else "unknown")
            return outcome

    async def _counted(self, operation: str, call: Callable[[], Awaitable[OutcomeT]]) -> OutcomeT:
        started = time.monotonic()
        outcome = await call()
        latency_s = time.monotonic() - started
        self._recorder.record(outcome, operation=operation, latency_s=latency_s)
        if self._instruments is not None:
            self._instruments.provider_call(
                provider=self.provider_id, operation=operation, outcome=outcome, latency_s=latency_s
            )
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


class CountingPublisher:
    """Implements `Publisher` around another; counts what the broker acknowledged."""

    def __init__(self, inner: Publisher, instruments: Instruments) -> None:
        self._inner = inner
        self._instruments = instruments

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Publish through the inner publisher, then count; a failure counts nothing."""
        await self._inner.publish(messages)
        for message in messages:
            self._instruments.published(topic=message.topic, payload=message.payload)
