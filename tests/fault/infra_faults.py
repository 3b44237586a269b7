"""Scenarios 1-3: the broker and PostgreSQL restarted, and network faults from Toxiproxy,
each while a paced stream of valid purchases and lookups is being served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from random import Random

from tests.fault.context import KAFKA_PROXY, PG_PROXY, PROVIDER_PROXY, Ctx, Scenario
from tests.fault.load import valid_stream
from tests.fault.scene import Scene, Setup

EVENTS, RATE, DRAIN_S = 300, 30.0, 60.0
Fault = Callable[[Ctx, Scene], Awaitable[None]]


async def stream_through(
    ctx: Ctx, sc: Scene, rng: Random, fault: Fault, *, events: int = EVENTS, rate: float = RATE
) -> None:
    """Publish a paced stream; strike when about a quarter is answered; then drain."""
    requests = valid_stream(rng, events)
    publishing = asyncio.create_task(sc.publish(requests, rate=rate))
    deadline = time.monotonic() + 60
    while sc.progress()[0] < events // 4 and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.2)  # the fault strikes mid-stream, not before work has begun
    await fault(ctx, sc)
    await publishing
    await sc.drain(DRAIN_S)


def _streamed(
    fault: Fault, *, events: int = EVENTS, rate: float = RATE
) -> Callable[[Ctx, Scene, Random], Awaitable[None]]:
    async def body(ctx: Ctx, sc: Scene, rng: Random) -> None:
        await stream_through(ctx, sc, rng, fault, events=events, rate=rate)

    return body


async def _broker_setup(ctx: Ctx) -> Setup:
    _, address = await ctx.broker()
    return ctx.setup(bootstrap=address)


async def broker_clean(ctx: Ctx, sc: Scene) -> None:
    """SIGTERM the broker (controlled shutdown), start it again."""
    broker, _ = await ctx.broker()
    async with sc.fault("broker stop/start"):
        await broker.stop()
        await asyncio.sleep(2)
        await broker.start()


async def broker_kill(ctx: Ctx, sc: Scene) -> None:
    """SIGKILL the broker, start it again."""
    broker, _ = await ctx.broker()
    async with sc.fault("broker SIGKILL"):
        await broker.kill()
        await asyncio.sleep(2)
        await broker.start()


def _pg(mode: str, down_s: float) -> Fault:
    """`pg_ctl restart -m MODE`, or a stop, `down_s` seconds down, and a start."""

    async def fault(ctx: Ctx, sc: Scene) -> None:
        pg = await ctx.postgres()
        if not down_s:
            async with sc.fault(f"pg_ctl restart -m {mode}"):
                await pg.restart(mode)
            return
        async with sc.fault(f"PostgreSQL stop -m {mode}, {down_s:.0f}s down"):
            await pg.stop(mode)
            await asyncio.sleep(down_s)
            await pg.start()

    return fault


def _network(proxy: str) -> Fault:
    """Latency, then connection resets, then a 20 s blackhole, each on every connection."""

    async def fault(ctx: Ctx, sc: Scene) -> None:
        toxi = await ctx.toxi()
        steps = (
            ("latency", "latency", {"latency": 400, "jitter": 200}, 5.0),
            ("reset_peer", "reset_peer", {"timeout": 300}, 5.0),
            ("blackhole", "timeout", {"timeout": 0}, 20.0),
        )
        for label, kind, attributes, seconds in steps:
            async with sc.fault(f"{proxy} {label} {seconds:.0f}s"):
                await toxi.add(proxy, label, kind, **attributes)
                await asyncio.sleep(seconds)
                await toxi.remove(proxy, label)
            await asyncio.sleep(3)

    return fault


async def _local(ctx: Ctx) -> Setup:
    return ctx.setup()


async def _pg_proxied(ctx: Ctx) -> Setup:
    return ctx.setup(switch_db=await ctx.pg_proxy())


async def _provider_proxied(ctx: Ctx) -> Setup:
    return ctx.setup(provider_urls=ctx.provider_proxy())


SCENARIOS = [
    Scenario(
        "kafka-restart-clean",
        "broker SIGTERM and start mid-stream",
        _broker_setup,
        _streamed(broker_clean),
    ),
    Scenario(
        "kafka-restart-kill",
        "broker SIGKILL and start mid-stream",
        _broker_setup,
        _streamed(broker_kill),
    ),
    Scenario("pg-restart-fast", "pg_ctl restart -m fast", _local, _streamed(_pg("fast", 0))),
    Scenario(
        "pg-restart-immediate",
        "pg_ctl stop -m immediate, 3 s down",
        _local,
        _streamed(_pg("immediate", 3)),
    ),
    Scenario("pg-outage", "PostgreSQL down 20 s (fast stop)", _local, _streamed(_pg("fast", 20))),
    Scenario(
        "net-kafka",
        "Toxiproxy before Kafka: latency, resets, 20 s blackhole",
        _broker_setup,
        _streamed(_network(KAFKA_PROXY), events=480, rate=15),
    ),
    Scenario(
        "net-postgres",
        "Toxiproxy before PostgreSQL: latency, resets, 20 s blackhole",
        _pg_proxied,
        _streamed(_network(PG_PROXY), events=480, rate=15),
    ),
    Scenario(
        "net-provider",
        "Toxiproxy before provider P1: latency, resets, 20 s blackhole",
        _provider_proxied,
        _streamed(_network(PROVIDER_PROXY), events=480, rate=15),
    ),
]
