"""The health server: `/healthz` (alive), `/readyz` (checks pass) and `/metrics` (Prometheus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from service.observability.checks import Check, run_checks
from service.observability.prometheus import CONTENT_TYPE, Exporter

CHECKS = web.AppKey("checks", list[Check])
EXPORTER = web.AppKey("exporter", Exporter)


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
    body = await request.app[EXPORTER].scrape()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def health_app(*, checks: list[Check], exporter: Exporter) -> web.Application:
    """The aiohttp application of the health server."""
    app = web.Application()
    app[CHECKS] = checks
    app[EXPORTER] = exporter
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
