"""The running switch: consumer runner, outbox relay, ledger workers and retention job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from adapters.kafka.consumer import new_consumer
from adapters.kafka.producer import KafkaPublisher, new_producer
from adapters.postgres.errors import translate as translate_pg_error
from adapters.postgres.outbox import PgOutboxStore
from adapters.postgres.retention import PgRetentionStore
from adapters.postgres.routing_preferences import RoutingWatcher
from adapters.postgres.store import PgSwitchStore
from schemas.v1.inputs import LookupRequested, PurchaseRequested, RebroadcastFlag
from service.config import SwitchConfig
from service.domain.backoff import Backoff
from service.engine.outage import OutageGate, Probe
from service.engine.relay import OutboxRelay
from service.engine.retention import RetentionJob
from service.engine.runner import ConsumerRunner
from service.handlers.directory import Directory
from service.handlers.flags import FlagHandler
from service.handlers.ledger_steps import LedgerSteps
from service.handlers.lookup import LookupHandler
from service.handlers.lookup_run import LookupRun
from service.handlers.outputs import Outputs
from service.handlers.purchase import PurchaseHandler
from service.handlers.refusals import Refusals
from service.handlers.router import InputRouter
from service.handlers.vending import Vending
from service.handlers.workers import AdviceWorker, RecoveryWorker, WorkerSettings
from service.observability.checks import postgres_check
from service.observability.observatory import Observatory
from service.ports.provider import ProviderPort
from service.providers import provider_clients, provider_settings
from service.settings import Settings
from service.topics import Topic


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


async def _light_reset(connection: Any) -> None:
    # The pool's default reset is a round trip per release (RESET ALL, UNLISTEN, ...) on the hot
    # path. Pooled connections hold no session state here (LISTEN and advisory locks use their
    # own connections), so only an unfinished transaction needs undoing.
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


@dataclass(kw_only=True)
class SwitchApp:
    """Everything one instance runs, built and closed by `switch_app`."""

    runner: ConsumerRunner[Any]
    relay: OutboxRelay
    recovery: RecoveryWorker
    advices: AdviceWorker
    retention: RetentionJob | None
    providers: Mapping[str, ProviderPort]
    pool: asyncpg.Pool

    async def run(self, stop: asyncio.Event) -> None:
        """Consume, relay and work the ledger until `stop` is set; then drain and return."""
        await asyncio.gather(
            self.runner.run(stop),
            self.relay.run(stop),
            self.recovery.run(stop),
            self.advices.run(stop),
            *([self.retention.run(stop)] if self.retention else []),
        )


@asynccontextmanager
async def switch_app(
    settings: Settings,
    config: SwitchConfig,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utc_now,
    observatory: Observatory | None = None,
) -> AsyncIterator[SwitchApp]:
    """Open pools, sessions and clients; wire the handlers; close everything on exit."""
    dsn = settings.database_url.get_secret_value()
    async with AsyncExitStack() as stack:
        # With tracing on, taking a connection opens its span and tags the outbox rows it writes.
        traced = observatory.pool_tracing() if observatory else None
        pool = await asyncpg.create_pool(
            dsn,
            min_size=2,
            max_size=settings.db_pool_size,
            reset=traced.reset(_light_reset) if traced else _light_reset,
            setup=traced.setup if traced else None,
        )
        stack.push_async_callback(pool.close)
        clients = await stack.enter_async_context(provider_clients(config, environ))
        # Every provider call goes through the observatory, so SREs see each one.
        providers: Mapping[str, ProviderPort] = (
            observatory.wrap(clients) if observatory else clients
        )
        producer = new_producer(bootstrap=settings.kafka_bootstrap)
        await producer.start()
        stack.push_async_callback(producer.stop)
        publisher = KafkaPublisher(producer)
        outbox = PgOutboxStore(dsn)
        stack.push_async_callback(outbox.close)
        parts = _Parts(settings, config, pool, providers, clock)
        # Routing preferences edited in the console apply from the next purchase, no restart.
        routing = RoutingWatcher(dsn=dsn, config=config, apply=parts.directory.use_stored_routing)
        await routing.start()
        stack.push_async_callback(routing.close)
        parts.workers = WorkerSettings(lease=_lease(config, environ))
        router = parts.router()
        gate = OutageGate(_postgres_answers(dsn))
        runner: ConsumerRunner[Any] = ConsumerRunner(
            consumer=new_consumer(
                bootstrap=settings.kafka_bootstrap,
                group=settings.consumer_group,
                settings=settings.engine,
            ),
            topics=router.topics,
            group=settings.consumer_group,
            decode=router.decode,
            # Timed and counted for /metrics when observed; the engine sees the same handler.
            handle=observatory.handler(router.handle) if observatory else router.handle,
            dead_letters=publisher,
            dead_letter_topic=f"{settings.topic_prefix}{Topic.DEAD_LETTER.value}",
            settings=settings.engine,
            translate=translate_pg_error,
            gate=gate,
        )
        relayed = observatory.relayed(publisher) if observatory else publisher
        relay = OutboxRelay(store=outbox, publisher=relayed, settings=settings.relay)
        yield SwitchApp(
            runner=runner,
            relay=relay,
            recovery=parts.recovery(),
            advices=parts.advices(),
            retention=_retention(stack, settings),
            providers=providers,
            pool=pool,
        )


def _postgres_answers(dsn: str) -> Probe:
    check = postgres_check(dsn, timeout_s=2.0)

    async def probe() -> bool:
        return (await check()).ok

    return probe


def _retention(stack: AsyncExitStack, settings: Settings) -> RetentionJob | None:
    if not settings.retention.enabled:
        return None
    store = PgRetentionStore(
        settings.database_url.get_secret_value(),
        statement_timeout_s=settings.retention.statement_timeout_s,
    )
    stack.push_async_callback(store.close)
    # The wall clock, not the app's: rows are stamped by the database's clock, and a test that
    # moves the app's clock forward must not make its own fresh rows look expired.
    return RetentionJob(store=store, settings=settings.retention, clock=utc_now)


def _lease(config: SwitchConfig, environ: Mapping[str, str] | None) -> timedelta:
    # A claimed unknown purchase or advice is the claimer's for as long as its call can take;
    # after that, if the claimer died, another instance takes it over.
    longest = max(
        (max(s.timeouts.retry, s.timeouts.advice) for s in provider_settings(config, environ)),
        default=30.0,
    )
    return timedelta(seconds=2 * longest + 5)


class _Parts:
    """The handlers and workers over one store, directory and set of providers."""

    def __init__(
        self,
        settings: Settings,
        config: SwitchConfig,
        pool: asyncpg.Pool,
        providers: Mapping[str, ProviderPort],
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.directory = Directory(config)
        self.store = PgSwitchStore(pool=pool, consumer_group=settings.consumer_group)
        self.outputs = Outputs(topic_prefix=settings.topic_prefix)
        self.providers = providers
        self.clock = clock
        self.run = LookupRun(directory=self.directory, providers=providers, clock=clock)
        self.steps = LedgerSteps(directory=self.directory, outputs=self.outputs, clock=clock)
        self.vending = Vending(
            directory=self.directory,
            providers=providers,
            store=self.store,
            steps=self.steps,
            clock=clock,
        )
        self.workers = WorkerSettings()

    def router(self) -> InputRouter:
        """The input topics' decoder and handlers."""
        d, st, out, clock = self.directory, self.store, self.outputs, self.clock
        refusals = Refusals(store=st, outputs=out, clock=clock)
        lookups = LookupHandler(
            run=self.run, directory=d, store=st, outputs=out, clock=clock, refusals=refusals
        )
        flags = FlagHandler(directory=d, store=st, outputs=out, clock=clock)
        purchases = PurchaseHandler(
            run=self.run,
            vending=self.vending,
            steps=self.steps,
            directory=d,
            store=st,
            outputs=out,
            clock=clock,
            refusals=refusals,
        )
        return InputRouter(
            topic_prefix=self.settings.topic_prefix,
            store=st,
            refusals=refusals,
            handlers={
                LookupRequested: lookups,
                RebroadcastFlag: flags,
                PurchaseRequested: purchases,
            },
        )

    def recovery(self) -> RecoveryWorker:
        """The unknown-purchase recovery worker."""
        return RecoveryWorker(
            store=self.store, vending=self.vending, clock=self.clock, settings=self.workers
        )

    def advices(self) -> AdviceWorker:
        """The advice delivery worker."""
        return AdviceWorker(
            store=self.store,
            providers=self.providers,
            clock=self.clock,
            settings=self.workers,
            backoff=Backoff(
                first=timedelta(seconds=self.directory.rules.advice_backoff_s),
                cap=timedelta(
                    seconds=max(
                        self.directory.rules.advice_backoff_s,
                        self.directory.rules.advice_backoff_cap_s,
                    )
                ),
            ),
        )
