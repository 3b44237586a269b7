"""A tiny app on the stream engine, for tests: pings in, effects in PostgreSQL, outputs out.

Run as `python -m tests.support.engine_app` with PPU_KAFKA_BOOTSTRAP, APP_DATABASE_URL,
APP_TOPIC_PREFIX and APP_GROUP set; it consumes `<prefix>in`, writes one `effects` row and
one output (`<prefix>out`, via the outbox) per event, and relays the outbox, until SIGTERM.
The `effects` table has no unique constraint on purpose: an event applied twice shows up.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

import asyncpg
import uvloop

from adapters.kafka.consumer import new_consumer
from adapters.kafka.producer import kafka_publisher
from adapters.postgres.outbox import PgOutboxStore
from adapters.postgres.unit_of_work import PgUnitOfWorkFactory
from service.engine.errors import DecodeError
from service.engine.records import Event, Handler
from service.engine.relay import OutboxRelay
from service.engine.runner import ConsumerRunner
from service.engine.settings import EngineSettings, RelaySettings
from service.ports.unit_of_work import OutboxMessage

EFFECTS_DDL = """
CREATE TABLE IF NOT EXISTS effects (
    id bigserial PRIMARY KEY, event_id uuid NOT NULL, key text NOT NULL, seq integer NOT NULL,
    instance text NOT NULL
)"""


@dataclass(frozen=True)
class Ping:
    """The test input event: an id, a key and a sequence number within the key."""

    event_id: UUID
    key: str
    seq: int


def decode_ping(topic: str, value: bytes | None) -> Ping:
    """JSON {"event_id", "key", "seq"}; anything else is a DecodeError."""
    try:
        body: Any = json.loads(value or b"")
        return Ping(event_id=UUID(body["event_id"]), key=str(body["key"]), seq=int(body["seq"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise DecodeError(f"not a ping: {type(exc).__name__}: {exc}") from exc


def output_for(ping: Ping, topic: str) -> OutboxMessage:
    """The one output of a ping: deterministic id and canonical bytes."""
    event_id = uuid5(ping.event_id, "out")
    body = {
        "event_id": str(event_id),
        "key": ping.key,
        "seq": ping.seq,
        "source": str(ping.event_id),
    }
    payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return OutboxMessage(topic=topic, key=ping.key, event_id=event_id, payload=payload)


def effect_handler(
    *, uow: PgUnitOfWorkFactory, instance: str, output_topic: str | None, max_latency_s: float = 0.0
) -> Handler[Ping]:
    """A handler writing one effect row (and one output) per event, idempotently."""
    rng = random.Random()

    async def handle(event: Event[Ping]) -> None:
        # Stands for a provider call: widens the window in which a crash finds work in flight.
        await asyncio.sleep(rng.uniform(0.0, max_latency_s))
        async with uow.begin(event.input) as work:
            if work.already_applied:
                return
            await work.connection.execute(
                "INSERT INTO effects (event_id, key, seq, instance) VALUES ($1, $2, $3, $4)",
                event.payload.event_id,
                event.payload.key,
                event.payload.seq,
                instance,
            )
            if output_topic is not None:
                await work.add_output(output_for(event.payload, output_topic))
            await work.commit()

    return handle


async def serve(*, bootstrap: str, dsn: str, prefix: str, group: str, stop: asyncio.Event) -> None:
    """Consume, apply and relay until `stop` is set."""
    settings = EngineSettings(
        session_timeout_ms=6_000, heartbeat_interval_ms=1_000, commit_interval_s=0.1
    )
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
    store = PgOutboxStore(dsn)
    try:
        await pool.execute(EFFECTS_DDL)
        async with kafka_publisher(bootstrap=bootstrap) as publisher:
            runner: ConsumerRunner[Ping] = ConsumerRunner(
                consumer=new_consumer(bootstrap=bootstrap, group=group, settings=settings),
                topics=[f"{prefix}in"],
                group=group,
                decode=decode_ping,
                handle=effect_handler(
                    uow=PgUnitOfWorkFactory(pool=pool, consumer_group=group),
                    instance=str(os.getpid()),
                    output_topic=f"{prefix}out",
                    max_latency_s=0.01,
                ),
                dead_letters=publisher,
                dead_letter_topic=f"{prefix}dlq",
                settings=settings,
            )
            relay = OutboxRelay(
                store=store, publisher=publisher, settings=RelaySettings(poll_interval_s=0.2)
            )
            await asyncio.gather(runner.run(stop), relay.run(stop))
    finally:
        await store.close()
        await pool.close()


def main() -> None:
    """Entry point: run until SIGTERM or SIGINT."""

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(
            bootstrap=os.environ["PPU_KAFKA_BOOTSTRAP"],
            dsn=os.environ["APP_DATABASE_URL"],
            prefix=os.environ["APP_TOPIC_PREFIX"],
            group=os.environ["APP_GROUP"],
            stop=stop,
        )

    uvloop.run(_main())


if __name__ == "__main__":
    main()
