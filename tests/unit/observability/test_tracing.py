"""Tracing without services: a record's traceparent is continued, provider calls are client
spans, and nothing is made when tracing is off."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service.domain import provider_results as r
from service.engine.records import Event, Record
from service.observability.observatory import Observatory
from service.observability.tracing import TracingSettings, current_traceparent, tracer_provider
from tests.unit.observability.test_observed_provider import Scripted, lookup

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


def traced() -> tuple[Observatory, InMemorySpanExporter]:
    """An observatory whose spans land in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Observatory(window_s=60, tracer=provider.get_tracer("test")), exporter


def record(headers: tuple[tuple[str, bytes], ...]) -> Record:
    """An input record with the given headers."""
    return Record(
        topic="ppu.lookup.requested", partition=1, offset=7, key=b"k", value=b"{}",
        timestamp_ms=0, headers=headers,
    )  # fmt: skip


async def test_the_handler_continues_the_records_traceparent_and_provider_calls_nest() -> None:
    """Handler span: child of the input's span; provider span: client, with the provider id."""
    observatory, exporter = traced()
    provider = observatory.wrap({"P1": Scripted(r.Unknown(kind=r.UnknownKind.TIMEOUT))})["P1"]
    seen: list[str | None] = []

    async def handle(event: Event[object]) -> None:  # type: ignore[type-var]
        """Call the provider, and note the traceparent an output would carry."""
        await provider.lookup_meter(lookup())
        seen.append(current_traceparent())

    await observatory.handler(handle)(
        Event(record=record((("traceparent", TRACEPARENT.encode()),)), payload=object())  # type: ignore[type-var]
    )
    call, handler = exporter.get_finished_spans()
    assert handler.name == "ppu.lookup.requested process"
    assert handler.kind is trace.SpanKind.CONSUMER
    assert format(handler.context.trace_id, "032x") == TRACE_ID
    assert handler.parent is not None
    assert format(handler.parent.span_id, "016x") == PARENT_ID
    assert call.kind is trace.SpanKind.CLIENT
    assert call.parent is not None
    assert call.parent.span_id == handler.context.span_id
    assert call.attributes is not None
    assert call.attributes["ppu.provider.id"] == "P1"
    assert call.attributes["ppu.provider.answer"] == "unknown"
    assert call.status.status_code is trace.StatusCode.ERROR
    assert seen == [f"00-{TRACE_ID}-{format(handler.context.span_id, '016x')}-01"]


async def test_a_record_without_traceparent_starts_a_trace_and_errors_are_recorded() -> None:
    """No header: a new root span; a handler error marks the span and still propagates."""
    observatory, exporter = traced()

    async def handle(event: Event[object]) -> None:  # type: ignore[type-var]
        """Fail."""
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await observatory.handler(handle)(Event(record=record(()), payload=object()))  # type: ignore[type-var]
    (span,) = exporter.get_finished_spans()
    assert span.parent is None
    assert span.status.status_code is trace.StatusCode.ERROR


async def test_tracing_is_off_by_default_and_makes_nothing() -> None:
    """Default settings give no provider; an untraced observatory leaves no current span."""
    assert TracingSettings().enabled is False
    assert tracer_provider(TracingSettings()) is None
    observatory = Observatory(window_s=60)
    assert observatory.pool_tracing() is None
    seen: list[str | None] = []

    async def handle(event: Event[object]) -> None:  # type: ignore[type-var]
        """Note the traceparent."""
        seen.append(current_traceparent())

    header = (("traceparent", TRACEPARENT.encode()),)
    await observatory.handler(handle)(Event(record=record(header), payload=object()))  # type: ignore[type-var]
    assert seen == [None]
