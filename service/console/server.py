"""Runs the console: its pool, producer and metrics feed, and the web server.

`python -m service console` calls `serve`; tests use `running_console` on port 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import structlog

from adapters.kafka.producer import new_producer
from service.config import SwitchConfig, load_config
from service.console.app import console_app
from service.console.auth import Authenticator
from service.console.context import Console
from service.console.events_feed import EventsFeed
from service.console.marks import MarkPublisher
from service.console.meters import MeterService
from service.console.metrics_feed import MetricsFeed
from service.console.routing_edit import RoutingEditor
from service.console.session_store import SessionStore
from service.console.sessions import FormTokens
from service.console.settings import ConsoleSettings
from service.console.store import ConsoleStore
from service.console.throttle import SignInThrottle
from service.console.transactions_store import TransactionStore
from service.handlers.directory import Directory
from service.observability.health import serving
from service.settings import Settings
from service.topics import Topic

log = structlog.get_logger(__name__)


@asynccontextmanager
async def running_console(
    settings: Settings, console: ConsoleSettings, config: SwitchConfig
) -> AsyncIterator[str]:
    """Serve the console while the block runs; yields its base URL."""
    prefix = settings.topic_prefix
    async with AsyncExitStack() as stack:
        pool = await asyncpg.create_pool(
            settings.database_url.get_secret_value(), min_size=1, max_size=8
        )
        stack.push_async_callback(pool.close)
        producer = new_producer(bootstrap=settings.kafka_bootstrap, client_id="ppu-console")
        await producer.start()
        stack.push_async_callback(producer.stop)
        store = ConsoleStore(pool)
        marks = MarkPublisher(
            producer=producer, topic=f"{prefix}{Topic.REBROADCAST_FLAGS.value}", store=store
        )
        feed = MetricsFeed(
            bootstrap=settings.kafka_bootstrap,
            topic=f"{prefix}{Topic.METRICS.value}",
            window_s=console.metrics_window_s,
        )
        stop = asyncio.Event()
        events = EventsFeed(bootstrap=settings.kafka_bootstrap, prefix=prefix, pool=pool)
        feeding = asyncio.create_task(feed.run(stop), name="console-metrics-feed")
        projecting = asyncio.create_task(events.run(stop), name="console-events-feed")
        stack.push_async_callback(_stopped, stop, feeding, projecting)
        parts = _console(config, console, pool=pool, store=store, marks=marks, feed=feed)
        await parts.routing.seed()  # the file's first values, if no switch has seeded them yet
        app = console_app(parts)
        yield await stack.enter_async_context(serving(app, host=console.host, port=console.port))


def _console(
    config: SwitchConfig,
    console: ConsoleSettings,
    *,
    pool: asyncpg.Pool,
    store: ConsoleStore,
    marks: MarkPublisher,
    feed: MetricsFeed,
) -> Console:
    directory = Directory(config)
    return Console(
        config=config,
        settings=console,
        auth=Authenticator(config, pool),
        sessions=SessionStore(pool, ttl_s=console.session_ttl_s, idle_s=console.idle_timeout_s),
        forms=FormTokens(secret=console.secret.get_secret_value().encode()),
        throttle=SignInThrottle(
            pool,
            window_s=console.sign_in_window_s,
            per_user=console.sign_in_max_failures,
            per_address=console.sign_in_max_per_address,
        ),
        meters=MeterService(
            store=store,
            directory=directory,
            marks=marks,
            search_limit=console.search_limit,
            mark_wait_s=console.mark_wait_s,
        ),
        store=store,
        feed=feed,
        transactions=TransactionStore(pool),
        routing=RoutingEditor(pool, config, directory),
    )


async def _stopped(stop: asyncio.Event, *tasks: asyncio.Task[None]) -> None:
    stop.set()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def serve(settings: Settings) -> None:
    """`python -m service console`: serve until SIGINT/SIGTERM."""
    console = ConsoleSettings()
    config = load_config(settings.config_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_console(settings, console, config) as url:
        log.info("console_ready", url=url)
        await stop.wait()
    log.info("console_stopped")
