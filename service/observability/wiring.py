"""The one function that adds the SRE signals to a running switch.

    observatory = Observatory(window_s=metrics.window_s)
    async with switch_app(settings, config, observatory=observatory) as app, observe(
        app, settings, observatory=observatory, metrics=metrics, health=health
    ):
        await app.run(stop)

`switch_app` must put its providers behind `observatory.wrap(...)`, so every call is counted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer

from adapters.postgres.table_sizes import PgTableSizes
from service.app import SwitchApp
from service.observability.checks import Check, consumer_check, kafka_check, postgres_check
from service.observability.health import health_app, serving
from service.observability.observatory import Observatory
from service.observability.prometheus import Exporter
from service.observability.publisher import MetricsPublisher
from service.observability.settings import HealthSettings, MetricsSettings
from service.observability.source import SnapshotSource
from service.observability.topics import TopicWindow
from service.settings import Settings
from service.topics import INPUTS, Topic


@dataclass(frozen=True, kw_only=True)
class Observed:
    """What `observe` started: the health server's URL, the publisher and the snapshot source."""

    health_url: str
    publisher: MetricsPublisher
    source: SnapshotSource


def _source(
    app: SwitchApp,
    settings: Settings,
    observatory: Observatory,
    metrics: MetricsSettings,
    health: HealthSettings,
) -> SnapshotSource:
    inputs = [f"{settings.topic_prefix}{t.value}" for t in INPUTS]
    return SnapshotSource(
        instance_id=metrics.instance_id,
        observatory=observatory,
        runner=app.runner,
        topics=TopicWindow(topics=inputs, window_s=metrics.window_s),
        tables=PgTableSizes(app.pool, timeout_s=health.probe_timeout_s),
    )


def _checks(
    app: SwitchApp, settings: Settings, producer: Any, health: HealthSettings
) -> list[Check]:
    timeout_s = health.probe_timeout_s
    return [
        kafka_check(producer, timeout_s=timeout_s),
        postgres_check(settings.database_url.get_secret_value(), timeout_s=timeout_s),
        consumer_check(app.runner),
    ]


@asynccontextmanager
async def observe(
    app: SwitchApp,
    settings: Settings,
    *,
    observatory: Observatory,
    metrics: MetricsSettings,
    health: HealthSettings,
) -> AsyncIterator[Observed]:
    """Publish snapshots and serve the health endpoints while the block runs."""
    source = _source(app, settings, observatory, metrics, health)
    async with AsyncExitStack() as stack:
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap, client_id="ppu-metrics", acks=1
        )
        await producer.start()
        stack.push_async_callback(producer.stop)
        publisher = MetricsPublisher(
            producer=producer,
            topic=f"{settings.topic_prefix}{Topic.METRICS.value}",
            source=source,
            interval_s=metrics.interval_s,
        )
        checks = _checks(app, settings, producer, health)
        exporter = Exporter(
            instruments=observatory.instruments,
            observatory=observatory,
            runner=app.runner,
            pool=app.pool,
            tables=source.tables,
        )
        url = await stack.enter_async_context(
            serving(
                health_app(checks=checks, exporter=exporter), host=health.host, port=health.port
            )
        )
        stop = asyncio.Event()
        task = asyncio.create_task(publisher.run(stop), name="metrics-publisher")
        try:
            yield Observed(health_url=url, publisher=publisher, source=source)
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await task
