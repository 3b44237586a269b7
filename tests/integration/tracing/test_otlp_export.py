"""With PPU_TRACING_* set, spans leave over OTLP/HTTP to the configured endpoint."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from service.observability.tracing import TracingSettings, tracer_provider

pytestmark = pytest.mark.integration


async def test_spans_are_exported_to_the_otlp_endpoint_with_the_service_name() -> None:
    """A local collector stand-in receives the span, named, with service.name set."""
    received: list[ExportTraceServiceRequest] = []

    async def traces(request: web.Request) -> web.Response:
        """Decode one OTLP/HTTP protobuf export."""
        received.append(ExportTraceServiceRequest.FromString(await request.read()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/v1/traces", traces)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        settings = TracingSettings(
            enabled=True,
            otlp_endpoint=f"http://127.0.0.1:{port}/v1/traces",
            service_name="ppu-switch-test",
        )
        provider = tracer_provider(settings)
        assert provider is not None
        with provider.get_tracer("test").start_as_current_span("ppu.test"):
            pass
        await asyncio.to_thread(provider.shutdown)  # flushes the batch, blocking
    finally:
        await runner.cleanup()
    (export,) = received
    (resource_spans,) = export.resource_spans
    names = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert names["service.name"] == "ppu-switch-test"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["ppu.test"]
