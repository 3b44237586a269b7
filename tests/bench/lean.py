"""The lean peer: the leanest honest pipeline on the switch's stack, the bench's second baseline.

Run as `python -m tests.bench.lean` with the switch's PPU_* environment (its own database, topic
prefix and consumer group; the switch's config file for the providers). Per input event it makes
the provider calls the switch makes (a lookup of an unknown meter asks every provider, one of a
known meter asks the provider that answered it, a purchase calls the purchase operation once),
then writes one row per event in one PostgreSQL statement per batch of finished events (group
commit), produces one output event per input and commits offsets every second, below the first
event not yet produced. Bounded concurrency: a semaphore of PPU_ENGINE_MAX_RUNNING (256).

It has none of the switch's rules: no ordering per meter, no outbox, no retries, no dead
letters, no routing state in the database (known meters live in a dict of this process). That
is the point: its rate and CPU are what Python + aiokafka + aiohttp + asyncpg do on this machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from collections.abc import Hashable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import structlog
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from service.logging import configure_logging
from service.topics import Topic
from tests.bench.lean_wire import OK, ProviderTarget, load_targets, post, request_body
from tests.bench.offsets import Offsets

log = structlog.get_logger(__name__)
SCHEMA = """CREATE TABLE IF NOT EXISTS lean_results (
    event_id uuid PRIMARY KEY, key text NOT NULL, result text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now())"""
# One statement is one transaction: the whole batch of finished events, or none of it.
INSERT = """INSERT INTO lean_results (event_id, key, result)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING"""


@dataclass
class Finished:
    """One event whose provider calls are over: its row and its output, awaiting the writer."""

    partition: Any
    offset: int
    event_id: str
    key: str
    result: str
    topic: str
    value: bytes
    written: asyncio.Future[None] = field(default_factory=asyncio.Future)


class LeanPeer:
    """Consumes, calls providers, group-commits rows, produces outputs, commits offsets."""

    def __init__(
        self,
        *,
        clients: tuple[Any, Any, Any],
        sessions: Mapping[str, aiohttp.ClientSession],
        targets: list[ProviderTarget],
        prefix: str,
        max_running: int,
    ) -> None:
        self._consumer, self._producer, self._pool = clients
        self._sessions, self._targets, self._prefix = sessions, targets, prefix
        self._slots = asyncio.Semaphore(max_running)
        self._known: dict[str, ProviderTarget] = {}
        self._offsets = Offsets()
        self._committed: dict[Hashable, int] = {}
        self._rows: list[Finished] = []
        self._has_rows = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`; then finish what was fetched, produce it and commit."""
        background = [asyncio.create_task(self._write_loop()), asyncio.create_task(self._commits())]
        try:
            await self._consume(stop)
            await asyncio.gather(*self._tasks)
            await self._producer.flush()
            await self._commit()
        finally:
            for task in background:
                task.cancel()

    async def _consume(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            batches = await self._consumer.getmany(timeout_ms=100, max_records=500)
            for tp, records in batches.items():
                for record in records:
                    await self._slots.acquire()
                    self._offsets.taken(tp, record.offset)
                    task = asyncio.create_task(self._handle(tp, record))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    async def _handle(self, tp: Any, record: Any) -> None:
        """One event: its provider calls, then wait for its row's batch to be written."""
        try:
            event = json.loads(record.value)
            if record.topic.endswith(Topic.PURCHASE_REQUESTED.value):
                topic, out, result = await self._purchase(event)
            else:
                topic, out, result = await self._lookup(event)
            done = Finished(
                tp,
                record.offset,
                event["event_id"],
                record.key.decode(),
                result,
                topic,
                json.dumps(out).encode(),
            )
            self._rows.append(done)
            self._has_rows.set()
            await done.written
        except Exception as exc:  # a baseline: note it and move on
            log.warning("lean_event_failed", offset=record.offset, error=type(exc).__name__)
            self._offsets.done(tp, record.offset)
        finally:
            self._slots.release()

    async def _call(
        self, target: ProviderTarget, *, purchase: bool, wire_id: str, **fields: Any
    ) -> tuple[str, Any]:
        session, body = self._sessions[target.provider_id], request_body(wire_id=wire_id, **fields)
        return await post(session, target, purchase=purchase, wire_id=wire_id, body=body)

    async def _ask(self, event: dict[str, Any], targets: list[ProviderTarget]) -> list[Any]:
        """Look the meter up at each target at once; remember the first that knows it."""
        meter, ref = event["meter_number"], event["lookup_id"]
        answers = await asyncio.gather(
            *(
                self._call(
                    t,
                    purchase=False,
                    wire_id=str(uuid.uuid4()),
                    ref=ref,
                    meter=meter,
                    institution=event["institution_id"],
                )
                for t in targets
            )
        )
        found = [t for t, (status, _) in zip(targets, answers, strict=True) if status == OK]
        if found and meter not in self._known:
            self._known[meter] = found[0]
        return [
            {"provider_id": t.provider_id, "status": status, "utility": a.get("utility", {})}
            for t, (status, a) in zip(targets, answers, strict=True)
        ]

    async def _lookup(self, event: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
        known = self._known.get(event["meter_number"])
        providers = await self._ask(event, [known] if known else self._targets)
        out = {"event_id": str(uuid.uuid4()), "lookup_id": event["lookup_id"]}
        result = ",".join(f"{p['provider_id']}={p['status']}" for p in providers)
        return Topic.LOOKUP_COMPLETED.value, out | {"providers": providers}, result

    async def _purchase(self, event: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
        meter, purchase_id = event["meter_number"], event["purchase_id"]
        if meter not in self._known:  # not in the bench: purchases follow lookups of their meters
            await self._ask({**event, "lookup_id": purchase_id}, self._targets)
        target = self._known.get(meter, self._targets[0])
        status, answer = await self._call(
            target,
            purchase=True,
            wire_id=purchase_id,
            ref=purchase_id,
            meter=meter,
            institution=event["institution_id"],
            amount_cents=int(event["amount"]["value"]),
        )
        out = {"event_id": str(uuid.uuid4()), "purchase_id": purchase_id, "status": status}
        if status != OK:
            out["error_type"] = answer.get("errorType")
            return Topic.PURCHASE_FAILED.value, out, f"{target.provider_id}={status}"
        tokens = [t.get("token") for t in answer.get("tokens", [])]
        return Topic.TOKEN_ISSUED.value, out | {"tokens": tokens}, f"{target.provider_id}={OK}"

    async def _write_loop(self) -> None:
        """Group commit: every row finished while the last batch was written goes in the next."""
        while True:
            await self._has_rows.wait()
            self._has_rows.clear()
            rows, self._rows = self._rows, []
            try:
                await self._write(rows)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("lean_write_failed", rows=len(rows), error=type(exc).__name__)
                self._rows[:0] = rows
                self._has_rows.set()
                await asyncio.sleep(0.5)

    async def _write(self, rows: list[Finished]) -> None:
        columns = (
            [uuid.UUID(r.event_id) for r in rows],
            [r.key for r in rows],
            [r.result for r in rows],
        )
        await self._pool.execute(INSERT, *columns)
        for row in rows:
            sent = await self._producer.send(
                self._prefix + row.topic, row.value, key=row.key.encode()
            )
            sent.add_done_callback(lambda f, r=row: self._produced(f, r))
            row.written.set_result(None)

    def _produced(self, sent: asyncio.Future[Any], row: Finished) -> None:
        if sent.exception() is None:  # a failed send keeps its offset uncommitted
            self._offsets.done(row.partition, row.offset)

    async def _commits(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            await self._commit()

    async def _commit(self) -> None:
        due = {
            tp: o for tp, o in self._offsets.committable().items() if self._committed.get(tp) != o
        }
        if due:
            await self._consumer.commit(due)
            self._committed |= due


async def run_lean(env: Mapping[str, str], stop: asyncio.Event) -> None:
    """Open the clients, run the peer until `stop`, close everything."""
    prefix, bootstrap = env.get("PPU_TOPIC_PREFIX", ""), env["PPU_KAFKA_BOOTSTRAP"]
    targets = load_targets(Path(env["PPU_CONFIG_FILE"]), env)
    async with AsyncExitStack() as stack:
        pool = await asyncpg.create_pool(env["PPU_DATABASE_URL"], min_size=1, max_size=2)
        stack.push_async_callback(pool.close)
        await pool.execute(SCHEMA)
        sessions = {}
        for t in targets:
            connector = aiohttp.TCPConnector(limit=t.max_connections)
            sessions[t.provider_id] = aiohttp.ClientSession(connector=connector)
            stack.push_async_callback(sessions[t.provider_id].close)
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
        )
        await producer.start()
        stack.push_async_callback(producer.stop)
        inputs = (Topic.LOOKUP_REQUESTED, Topic.PURCHASE_REQUESTED)
        consumer = AIOKafkaConsumer(
            *(prefix + t.value for t in inputs),
            bootstrap_servers=bootstrap,
            group_id=env["PPU_CONSUMER_GROUP"],
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        stack.push_async_callback(consumer.stop)
        peer = LeanPeer(
            clients=(consumer, producer, pool),
            sessions=sessions,
            targets=targets,
            prefix=prefix,
            max_running=int(env.get("PPU_ENGINE_MAX_RUNNING", "256")),
        )
        await peer.run(stop)


async def _main() -> None:
    """Run until SIGTERM/SIGINT."""
    configure_logging(level=os.environ.get("PPU_LOG_LEVEL", "WARNING"), fmt="json")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_lean(dict(os.environ), stop)


if __name__ == "__main__":
    uvloop.run(_main())
