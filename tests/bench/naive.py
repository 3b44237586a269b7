"""The naive baseline: one event at a time, a commit after each, through the switch's handlers.

Run as `python -m tests.bench.naive` with the service's PPU_* environment (its own database,
topic prefix and consumer group). It decodes and handles with the very code the switch runs
(`service.app`'s handlers, the same outbox relay and workers); only the consumer loop differs:
fetch one record, handle it to the end, commit its offset, then fetch the next. That is the
design the stream engine replaces, so the benchmark's ratio is the engine's doing.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from contextlib import AsyncExitStack
from typing import Any

import asyncpg
import structlog
import uvloop
from aiokafka import AIOKafkaConsumer, TopicPartition

from adapters.kafka.producer import kafka_publisher
from adapters.postgres.outbox import PgOutboxStore
from service.app import _Parts, utc_now  # the switch's own wiring of handlers, minus its runner
from service.bootstrap import apply_migrations
from service.config import SwitchConfig, load_config
from service.engine.records import Event, Record
from service.engine.relay import OutboxRelay
from service.handlers.router import InputRouter
from service.logging import configure_logging
from service.providers import provider_clients
from service.settings import Settings

log = structlog.get_logger(__name__)


async def consume_one_at_a_time(consumer: Any, router: InputRouter, stop: asyncio.Event) -> None:
    """Fetch one record, handle it, commit it; repeat until `stop`."""
    while not stop.is_set():
        batches = await consumer.getmany(timeout_ms=200, max_records=1)
        for records in batches.values():
            for raw in records:
                record = Record.from_consumer_record(raw)
                try:
                    payload = router.decode(record.topic, record.value)
                    await router.handle(Event(record=record, payload=payload))
                except Exception as exc:  # a baseline: note it and move on, as naive code does
                    log.warning("naive_event_failed", error=f"{type(exc).__name__}: {exc}")
                tp = TopicPartition(record.topic, record.partition)
                await consumer.commit({tp: record.offset + 1})


async def run_naive(settings: Settings, config: SwitchConfig, stop: asyncio.Event) -> None:
    """Wire the switch's handlers, relay and workers; consume naively until `stop`."""
    await apply_migrations(settings)
    dsn = settings.database_url.get_secret_value()
    async with AsyncExitStack() as stack:
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=settings.db_pool_size)
        stack.push_async_callback(pool.close)
        providers = await stack.enter_async_context(provider_clients(config))
        publisher = await stack.enter_async_context(
            kafka_publisher(bootstrap=settings.kafka_bootstrap, client_id="ppu-naive")
        )
        outbox = PgOutboxStore(dsn)
        stack.push_async_callback(outbox.close)
        parts = _Parts(settings, config, pool, providers, utc_now)
        router = parts.router()
        consumer = AIOKafkaConsumer(
            *router.topics,
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=settings.consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        stack.push_async_callback(consumer.stop)
        relay = OutboxRelay(store=outbox, publisher=publisher, settings=settings.relay)
        await asyncio.gather(
            consume_one_at_a_time(consumer, router, stop),
            relay.run(stop),
            parts.recovery().run(stop),
            parts.advices().run(stop),
        )


async def _main() -> None:
    """Run until SIGTERM/SIGINT."""
    settings = Settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_naive(settings, load_config(settings.config_file), stop)


if __name__ == "__main__":
    uvloop.run(_main())
    sys.exit(0)
