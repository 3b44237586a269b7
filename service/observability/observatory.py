"""The switch's provider recorders, Prometheus instruments and optional tracer, and the
decorators that feed them."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager

from opentelemetry import trace

from service.domain.provider_results import CircuitState
from service.engine.publishing import Publisher
from service.engine.records import Event, Handler, T
from service.observability.instruments import Instruments
from service.observability.provider import CountingPublisher, ObservedProvider
from service.observability.recorder import ProviderReading, ProviderRecorder
from service.observability.tracing import PoolTracing, extract
from service.ports.provider import ProviderPort


def _circuit_of(provider: ProviderPort) -> Callable[[], CircuitState]:
    return lambda: provider.circuit_state


def _not_offered_of(provider: ProviderPort) -> Callable[[], frozenset[str]]:
    return lambda: provider.not_offered


class Observatory:
    """One recorder per provider; `wrap` puts the providers behind their recorders, `handler`
    times the engine's handler; both feed the Prometheus instruments, and make spans when a
    `tracer` is given (tracing on).
    """

    def __init__(
        self,
        *,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        instruments: Instruments | None = None,
        tracer: trace.Tracer | None = None,
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._recorders: dict[str, ProviderRecorder] = {}
        self.instruments = instruments or Instruments()
        self.tracer = tracer

    def pool_tracing(self) -> PoolTracing | None:
        """The PostgreSQL pool's tracing hooks, when tracing is on."""
        return PoolTracing(self.tracer) if self.tracer is not None else None

    def wrap(self, providers: Mapping[str, ProviderPort]) -> dict[str, ProviderPort]:
        """The same providers, each timed and counted; the switch must use these."""
        wrapped: dict[str, ProviderPort] = {}
        for provider_id, provider in providers.items():
            recorder = ProviderRecorder(
                provider_id=provider_id,
                window_s=self.window_s,
                circuit=_circuit_of(provider),
                clock=self._clock,
                not_offered=_not_offered_of(provider),
            )
            self._recorders[provider_id] = recorder
            wrapped[provider_id] = ObservedProvider(
                provider, recorder, self.instruments, tracer=self.tracer
            )
        return wrapped

    def relayed(self, publisher: Publisher) -> Publisher:
        """The relay's publisher, counting each output event once the broker acknowledged it."""
        return CountingPublisher(publisher, self.instruments)

    def handler(self, handle: Handler[T]) -> Handler[T]:
        """The same handler, counting retries and timing each success from the input's timestamp."""
        instruments, tracer = self.instruments, self.tracer

        async def observed(event: Event[T]) -> None:
            """Run the handler; a raised error propagates to the engine unchanged."""
            topic = event.record.topic
            instruments.attempt_started(topic=topic, attempt=event.attempt)
            if tracer is None:
                await handle(event)
            else:
                with _consumer_span(tracer, event):
                    await handle(event)
            instruments.handled(topic=topic, timestamp_ms=event.record.timestamp_ms)

        return observed

    def readings(self) -> list[ProviderReading]:
        """Every provider's figures now, in provider order."""
        return [self._recorders[pid].reading() for pid in sorted(self._recorders)]


def _consumer_span(tracer: trace.Tracer, event: Event[T]) -> AbstractContextManager[trace.Span]:
    # The span continues the record's traceparent; an error raised inside is recorded on it.
    record = event.record
    return tracer.start_as_current_span(
        f"{record.topic} process",
        context=extract(record.headers),
        kind=trace.SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": record.topic,
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
            "ppu.attempt": event.attempt,
        },
    )
