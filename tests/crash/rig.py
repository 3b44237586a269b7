"""Parts the crash and fault tests share: a scratch database, the switch's environment, topics
that the switch created, and a collector that reads every output topic back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from adapters.ppu_v3.simulator.server import RunningSimulator
from service.topics import INPUTS, Topic
from tests.support.switch import PASSWORD


@asynccontextmanager
async def scratch_database(admin_url: str, label: str) -> AsyncIterator[tuple[str, str]]:
    """A fresh database on the server `admin_url` names, dropped afterwards: (name, url)."""
    name = f"{label}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield name, urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def switch_env(
    *,
    bootstrap: str,
    database_url: str,
    prefix: str,
    config: Path,
    sims: Sequence[RunningSimulator],
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a switch process tuned for fast failure detection in tests."""
    return {
        "PPU_KAFKA_BOOTSTRAP": bootstrap,
        "PPU_DATABASE_URL": database_url,
        "PPU_TOPIC_PREFIX": prefix,
        "PPU_CONFIG_FILE": str(config),
        "PPU_CONSUMER_GROUP": f"{prefix}switch",
        "PPU_INPUT_PARTITIONS": "6",
        "PPU_OUTPUT_PARTITIONS": "3",
        "PPU_LOG_FORMAT": "json",
        "PPU_ENGINE_SESSION_TIMEOUT_MS": "6000",
        "PPU_ENGINE_HEARTBEAT_INTERVAL_MS": "1000",
        "PPU_ENGINE_EVENT_DEADLINE_S": "10",
        "PPU_ENGINE_DRAIN_DEADLINE_S": "12",
        "PPU_ENGINE_MAX_POLL_INTERVAL_MS": "60000",
        "PPU_HEALTH_PORT": "0",  # any free port: never collide with a running service
        "PPU_RELAY_POLL_INTERVAL_S": "0.2",
        **{f"PPU_PROVIDER_{s.config.provider_id}_PASSWORD": PASSWORD for s in sims},
        **(extra or {}),
    }


async def await_topics(bootstrap: str, prefix: str, timeout_s: float = 60) -> None:
    """Wait until the switch has created its topics (the dead-letter topic is made last)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        async with asyncio.timeout(timeout_s):
            while f"{prefix}{Topic.DEAD_LETTER.value}" not in await admin.list_topics():  # noqa: ASYNC110
                await asyncio.sleep(0.5)
    finally:
        await admin.close()


OUTCOMES = tuple(
    t.value for t in (Topic.LOOKUP_COMPLETED, Topic.TOKEN_ISSUED, Topic.PURCHASE_FAILED)
)


@dataclass(frozen=True)
class Seen:
    """One output record as read back: its topic, bytes, decoded value and broker timestamp."""

    topic: str
    value: bytes
    event: dict[str, Any]
    timestamp_ms: int


def request_id(event: Mapping[str, Any]) -> str:
    """The request an output answers: its lookup or purchase id ('' for neither)."""
    return str(event.get("lookup_id") or event.get("purchase_id") or "")


class Collector:
    """Reads every output topic from the start, for the whole run."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.records: list[Seen] = []
        self.answered_ids: set[str] = set()
        self.outcomes: dict[str, set[str]] = {}  # request id -> distinct outcome event ids
        self.letters = 0
        self._bootstrap = bootstrap
        self._prefix = prefix

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until stopped."""
        names = [f"{self._prefix}{t.value}" for t in Topic if t not in INPUTS]
        consumer = AIOKafkaConsumer(
            *names,
            bootstrap_servers=self._bootstrap,
            group_id=f"{self._prefix}collector",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_bytes=8 * 1024 * 1024,
            max_partition_fetch_bytes=2 * 1024 * 1024,
        )
        await consumer.start()
        try:
            while not stop.is_set():
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    for r in batch:
                        self._add(Seen(r.topic, r.value, json.loads(r.value), r.timestamp))
        finally:
            await consumer.stop()

    def _add(self, seen: Seen) -> None:
        self.records.append(seen)
        if seen.topic.endswith(Topic.DEAD_LETTER.value):
            self.letters += 1
            return
        rid = request_id(seen.event)
        self.answered_ids.add(rid)
        if seen.topic.endswith(OUTCOMES):
            self.outcomes.setdefault(rid, set()).add(str(seen.event.get("event_id")))

    def pairs(self) -> list[tuple[str, bytes]]:
        """(topic, value) of everything read so far."""
        return [(s.topic, s.value) for s in self.records]

    def answered(self, wanted: set[str]) -> int:
        """How many of the wanted request ids have an outcome so far (cheap progress figure)."""
        return len(self.answered_ids & wanted)
