"""Traces on real Kafka and PostgreSQL: an input's traceparent runs through the handler, the
provider call and the database, and comes out on the output record."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from schemas import canonical_bytes
from service.observability.observatory import Observatory
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider
from tests.support.events import purchase
from tests.support.switch import RunningSwitch

pytestmark = pytest.mark.integration

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


async def issued_headers(sw: RunningSwitch, purchase_id: str) -> dict[str, bytes]:
    """The headers of the purchase's ppu.token.issued record."""
    consumer = AIOKafkaConsumer(
        sw.topic(Topic.TOKEN_ISSUED),
        bootstrap_servers=sw.bootstrap,
        group_id=f"{sw.prefix}headers",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while True:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    for rec in records:
                        if json.loads(rec.value)["purchase_id"] == purchase_id:
                            return dict(rec.headers)
    finally:
        await consumer.stop()


async def test_a_purchase_trace_spans_handler_provider_and_database_and_reaches_the_output(
    switch: SwitchFactory,
) -> None:
    """One trace: consumer span under the input's, provider client span and PostgreSQL span
    under it; the token.issued record's traceparent names the handler span."""
    exporter = InMemorySpanExporter()
    tracing = TracerProvider()
    tracing.add_span_processor(SimpleSpanProcessor(exporter))
    observatory = Observatory(window_s=60, tracer=tracing.get_tracer("test"))
    async with switch(provider("P1", CITY), observatory=observatory) as sw:
        request = purchase("04121111111", 5000)
        producer = AIOKafkaProducer(bootstrap_servers=sw.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                sw.topic(Topic.PURCHASE_REQUESTED),
                canonical_bytes(request),
                key=request.meter_number.encode(),
                headers=[("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-01".encode())],
            )
        finally:
            await producer.stop()
        headers = await issued_headers(sw, str(request.purchase_id))
    spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == int(TRACE_ID, 16)]
    (handler,) = [s for s in spans if s.kind is trace.SpanKind.CONSUMER]
    assert handler.parent is not None
    assert handler.parent.span_id == int(PARENT_ID, 16)
    children = [s for s in spans if s.parent and s.parent.span_id == handler.context.span_id]
    calls = [s for s in children if s.name.startswith("provider ")]
    assert calls
    assert {(s.attributes or {}).get("ppu.provider.id") for s in calls} == {"P1"}
    assert any(s.name == "postgresql transaction" for s in children)
    span_id = format(handler.context.span_id, "016x")
    assert headers["traceparent"].decode() == f"00-{TRACE_ID}-{span_id}-01"
    assert headers["event_id"]
