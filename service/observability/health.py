"""The health server: `/healthz` (alive), `/readyz` (checks pass) and `/metrics` (Prometheus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from service.observability.checks import Check, run_checks
from service.observability.prometheus import (
    CONTENT_TYPE,
    consumer_families,
    exposition,
    provider_families,
    table_families,
)
from service.observability.source import SnapshotSource

CHECKS = web.AppKey("checks", list[Check])
SOURCE = web.AppKey("source", SnapshotSource)


async def healthz(request: web.Request) -> web.Response:
    """Alive: the event loop answers."""
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when every check passes; 503 with the failed checks otherwise."""
    results = await run_checks(request.app[CHECKS])
    ready = all(r.ok for r in results)
    body = {
        "ready": ready,
        "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
    }
    return web.json_response(body, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus exposition of the figures now."""
    source = request.app[SOURCE]
    runner = source.runner
    lag: dict[str, int] = {}
    for (topic, _), value in (await runner.lag()).items():
        lag[topic] = lag.get(topic, 0) + value
    families = [
        *provider_families(source.observatory.readings()),
        *consumer_families(
            outcomes=runner.outcomes,
            lag=lag,
            in_flight=runner.in_flight,
            partitions=len(runner.assignment),
        ),
        *table_families(await source.table_sizes()),
    ]
    return web.Response(body=exposition(families).encode(), headers={"Content-Type": CONTENT_TYPE})


def health_app(*, checks: list[Check], source: SnapshotSource) -> web.Application:
    """The aiohttp application of the health server."""
    app = web.Application()
    app[CHECKS] = checks
    app[SOURCE] = source
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


@asynccontextmanager
async def serving(app: web.Application, *, host: str, port: int) -> AsyncIterator[str]:
    """Serve `app` until exit; yields its base URL (the real port when `port` is 0)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        bound = runner.addresses[0][1] if runner.addresses else port
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()
