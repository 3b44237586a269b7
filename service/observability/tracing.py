"""Optional OpenTelemetry tracing (`PPU_TRACING_*`, off by default).

A W3C `traceparent` header on an input record is continued: the handler's span is its child,
each provider call is a client span under it, and so is each pooled PostgreSQL connection's use
(the unit of work's transaction). Output records carry the handler's `traceparent`: the pool
hook sets it as the session setting `ppu.traceparent` when a connection is taken, and the
outbox's column default stores it with every row that transaction writes (migration 012), so
whichever instance relays the row can put it on the record's headers. With tracing off, none of
this runs: no spans, no setting, no extra round trip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_SET = "SELECT set_config('ppu.traceparent', $1, false)"


class TracingSettings(BaseSettings):
    """Whether spans are made, and where they are sent."""

    model_config = SettingsConfigDict(env_prefix="PPU_TRACING_", extra="ignore", frozen=True)

    enabled: bool = Field(False, description="Make spans and export them over OTLP")
    otlp_endpoint: str = Field(
        "http://127.0.0.1:4318/v1/traces", description="OTLP/HTTP traces endpoint"
    )
    service_name: str = Field("ppu-switch", description="service.name of the spans")
    sample_ratio: float = Field(
        1.0, ge=0, le=1, description="Share of new traces kept (a caller's decision is followed)"
    )


def tracer_provider(settings: TracingSettings) -> TracerProvider | None:
    """An exporting provider when tracing is on; None when off. Shut it down at exit."""
    if not settings.enabled:
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBasedTraceIdRatio(settings.sample_ratio),
    )
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
    )
    return provider


def extract(headers: Sequence[tuple[str, bytes]]) -> Context:
    """The trace context a record's headers carry (an empty one when they carry none)."""
    carrier = {
        k.lower(): v.decode("latin-1")
        for k, v in headers
        if k.lower() in {TRACEPARENT, "tracestate"}
    }
    return _PROPAGATOR.extract(carrier)


def current_traceparent() -> str | None:
    """The `traceparent` of the span current in this task, if one is recording."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


Reset = Callable[[Any], Awaitable[None]]


class PoolTracing:
    """asyncpg pool hooks: a span per connection use, and `ppu.traceparent` for the outbox."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer
        self._open: dict[int, trace.Span] = {}
        self._traceparent: dict[int, str] = {}

    async def setup(self, conn: Any) -> None:
        """On acquire: open the span, and set the session's traceparent when it changed."""
        pid = conn.get_server_pid()
        stale = self._open.pop(pid, None)
        if stale is not None:  # a connection closed before its release was never reset
            stale.end()
        wanted = current_traceparent() or ""
        if wanted:
            self._open[pid] = self._tracer.start_span(
                "postgresql transaction",
                kind=trace.SpanKind.CLIENT,
                attributes={"db.system.name": "postgresql", "db.namespace": "ppu"},
            )
        # Setting the same value again is a wasted round trip; workers without a span set "" once.
        if self._traceparent.get(pid) != wanted:
            await conn.fetchval(_SET, wanted)
            self._traceparent[pid] = wanted

    def reset(self, inner: Reset) -> Reset:
        """On release: the pool's own reset, then the span ends."""

        async def reset(conn: Any) -> None:
            """Run the pool's reset; end the span whatever it raised."""
            try:
                await inner(conn)
            finally:
                span = self._open.pop(conn.get_server_pid(), None)
                if span is not None:
                    span.end()

        return reset


def record_headers(traceparent: str | None) -> Mapping[str, bytes]:
    """Headers to add to an output record for its stored `traceparent`."""
    return {TRACEPARENT: traceparent.encode()} if traceparent else {}
