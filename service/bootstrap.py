"""Composition root: the one place that builds adapters and wires them to the service."""

from __future__ import annotations

import asyncio
import gc
import signal
from dataclasses import dataclass

import asyncpg
import structlog

from adapters.kafka.admin import ensure_topics
from adapters.postgres.audit import PgAuditLog
from adapters.postgres.migrate import migrate
from service.app import switch_app
from service.config import SwitchConfig, load_config
from service.observability.observatory import Observatory
from service.observability.settings import HealthSettings, MetricsSettings
from service.observability.tracing import TracingSettings, tracer_provider
from service.observability.wiring import observe
from service.routing_audit import ACTION as ROUTING_ACTION
from service.routing_audit import changes, routing_snapshot
from service.settings import Settings
from service.topics import topic_specs

log = structlog.get_logger(__name__)
# Allocations minus deallocations between young-generation collections (CPython: 700).
_GC_FIRST_THRESHOLD = 10_000


@dataclass(frozen=True, slots=True)
class Prepared:
    """What `prepare` did, for the start-up log line."""

    migrations_applied: list[str]
    topics_created: list[str]


async def apply_migrations(settings: Settings) -> list[str]:
    """Bring the database schema up to date."""
    conn = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        return await migrate(conn)
    finally:
        await conn.close()


async def audit_routing(settings: Settings, config: SwitchConfig) -> list[str]:
    """Record in the audit log what changed in the file's routing since it was last recorded."""
    snapshot = routing_snapshot(config)
    conn = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        async with conn.transaction():
            audit = PgAuditLog(conn)
            before = await audit.latest(ROUTING_ACTION)
            changed = changes(before.get("snapshot") if before else None, snapshot)
            if changed:
                await audit.record(
                    actor=f"config:{settings.config_file.name}",
                    action=ROUTING_ACTION,
                    subject="routing",
                    details={"changed": changed, "snapshot": snapshot},
                )
        return changed
    finally:
        await conn.close()


async def create_topics(settings: Settings) -> list[str]:
    """Create the contract's topics that the broker lacks."""
    specs = topic_specs(
        prefix=settings.topic_prefix,
        input_partitions=settings.input_partitions,
        output_partitions=settings.output_partitions,
    )
    return await ensure_topics(
        settings.kafka_bootstrap, specs, replication_factor=settings.replication_factor
    )


async def prepare(settings: Settings) -> Prepared:
    """Everything a fresh deployment needs before it consumes: schema and topics."""
    migrations, topics = await asyncio.gather(apply_migrations(settings), create_topics(settings))
    return Prepared(migrations_applied=migrations, topics_created=topics)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _settle_garbage_collector() -> None:
    """Keep the collector off what start-up built, and let it run less often.

    Imports and wiring leave a few hundred thousand long-lived objects; every full collection
    walked them all again, a pause of tens of milliseconds in the middle of events. Frozen, they
    are never scanned, and a larger first threshold collects the per-event garbage in fewer,
    equally short passes.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(_GC_FIRST_THRESHOLD, *gc.get_threshold()[1:])


async def run_service(settings: Settings) -> None:
    """Prepare the infrastructure, then consume until SIGINT/SIGTERM; drain and stop cleanly."""
    config: SwitchConfig = load_config(settings.config_file)
    prepared = await prepare(settings)
    routing_changes = await audit_routing(settings, config)
    log.info(
        "service_ready",
        kafka=settings.kafka_bootstrap,
        providers=[p.id for p in config.providers],
        institutions=[i.id for i in config.institutions],
        migrations_applied=prepared.migrations_applied,
        topics_created=len(prepared.topics_created),
        routing_changes=routing_changes,
    )
    stop = _stop_on_signals()
    metrics, health = MetricsSettings(), HealthSettings()
    tracing = tracer_provider(TracingSettings())
    tracer = tracing.get_tracer("ppu-switch") if tracing else None
    observatory = Observatory(window_s=metrics.window_s, tracer=tracer)
    try:
        async with (
            switch_app(settings, config, observatory=observatory) as app,
            observe(app, settings, observatory=observatory, metrics=metrics, health=health) as seen,
        ):
            log.info("health_serving", url=seen.health_url, tracing=tracer is not None)
            _settle_garbage_collector()
            await app.run(stop)
    finally:
        if tracing is not None:
            # Flushes the spans still batched: a blocking HTTP call, so off the event loop.
            await asyncio.to_thread(tracing.shutdown)
    log.info("service_stopped")
