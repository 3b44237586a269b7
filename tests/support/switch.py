"""A whole switch in the test process: simulated providers, the app, input and output topics.

async with running_switch(kafka_bootstrap=..., database_url=..., prefix=...,
                          providers=[sim_provider("P1", ...), ...]) as sw:
    await sw.publish(Topic.LOOKUP_REQUESTED, LookupRequested(...))
    done = await sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == "L1")
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from jsonschema import Draft202012Validator
from pydantic import SecretStr

from adapters.kafka.admin import ensure_topics
from adapters.ppu_v3.simulator.config import SimProviderConfig, UtilityCoverage
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulator
from schemas import canonical_bytes
from schemas.v1.base import Event
from service.app import SwitchApp, switch_app
from service.config import SwitchConfig
from service.engine.settings import EngineSettings, RelaySettings
from service.observability.observatory import Observatory
from service.settings import Settings
from service.topics import INPUTS, Topic, topic_specs

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "jsonschema"
PASSWORD = "sim-secret"
ENGINE = EngineSettings(
    fetch_timeout_ms=50,
    event_deadline_s=8,
    max_attempts=3,
    backoff_base_s=0.05,
    backoff_cap_s=0.2,
    commit_interval_s=0.1,
    drain_deadline_s=10,
    max_poll_interval_ms=60_000,
    session_timeout_ms=6_000,
    heartbeat_interval_ms=1_000,
)
RELAY = RelaySettings(poll_interval_s=0.2)


def sim_provider(provider_id: str, *utilities: UtilityCoverage, **extra: Any) -> SimProviderConfig:
    """A simulated provider with the harness's credentials and no TST meters."""
    return SimProviderConfig(
        provider_id=provider_id,
        name=f"Sim {provider_id}",
        username="switch",
        password=PASSWORD,
        test_meters=False,
        utilities=list(utilities),
        **extra,
    )


@dataclass
class RunningSwitch:
    """The running switch and what the test needs to talk to it."""

    bootstrap: str
    prefix: str
    sims: dict[str, RunningSimulator]
    app: SwitchApp
    outputs: list[tuple[str, dict[str, Any], bytes]] = field(default_factory=list)

    def topic(self, topic: Topic) -> str:
        """The prefixed topic name."""
        return f"{self.prefix}{topic.value}"

    async def publish(self, topic: Topic, event: Event, *, key: str | None = None) -> None:
        """Publish one input event (keyed by its meter number unless told otherwise)."""
        await self.publish_raw(
            topic, canonical_bytes(event), key=key or getattr(event, "meter_number", None)
        )

    async def publish_raw(self, topic: Topic, value: bytes, *, key: str | None) -> None:
        """Publish raw bytes, for malformed-input tests."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                self.topic(topic), value, key=key.encode() if key else None
            )
        finally:
            await producer.stop()

    def seen(
        self, topic: Topic, match: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> list[dict[str, Any]]:
        """Output events of `topic` received so far that match."""
        name = self.topic(topic)
        return [e for t, e, _ in self.outputs if t == name and match(e)]

    async def wait_for(
        self,
        topic: Topic,
        match: Callable[[dict[str, Any]], bool] = lambda _: True,
        *,
        count: int = 1,
        within_s: float = 30.0,
    ) -> list[dict[str, Any]]:
        """Block until `count` matching events arrived on `topic`; fail after `within_s`."""
        async with asyncio.timeout(within_s):
            while len(found := self.seen(topic, match)) < count:  # noqa: ASYNC110 - fed by a consumer task
                await asyncio.sleep(0.05)
        return found

    def assert_outputs_match_schemas(self) -> None:
        """Every output event received validates against its exported JSON Schema."""
        for topic, event, _ in self.outputs:
            name = topic.removeprefix(self.prefix)
            schema = json.loads((SCHEMAS / f"{name}.json").read_text())
            Draft202012Validator(schema).validate(event)


def switch_config(
    sims: Sequence[RunningSimulator],
    provider_overrides: dict[str, dict[str, Any]] | None = None,
    **overrides: Any,
) -> SwitchConfig:
    """A configuration pointing at the simulators; institution INST enables them all."""
    raw: dict[str, Any] = {
        "rules": {
            "coverage_window_days": 30,
            "lookup_deadline_s": 3.0,
            "unknown_retries": 3,
            "unknown_deadline_s": 20.0,
            "unknown_backoff_s": 0.2,
            "advice_backoff_s": 0.2,
            "advice_backoff_cap_s": 1.0,
        },
        "utilities": [
            {"id": "COJ", "name": "City of Johannesburg", "aliases": ["City Power", "CPW", "JHB"]},
            {"id": "TSHWANE", "name": "City of Tshwane", "aliases": ["Tshwane Metro", "TSH"]},
            {
                "id": "ESKOM",
                "name": "Eskom Direct",
                "aliases": ["ESK"],
                "zero_rated_receipts": True,
            },
        ],
        "providers": [
            {
                "id": s.config.provider_id,
                "name": s.config.name,
                "base_url": s.base_url,
                "username": "switch",
                "http": {
                    "timeouts": {"lookup": 1.0, "purchase": 1.0, "retry": 1.0, "advice": 1.0},
                    "lookup_attempts": 1,
                    "breaker": {"failure_threshold": 50},
                },
                **(provider_overrides or {}).get(s.config.provider_id, {}),
            }
            for s in sims
        ],
        "institutions": [
            {
                "id": "INST",
                "name": "Test Institution",
                "enabled_providers": [s.config.provider_id for s in sims],
            },
        ],
    }
    raw.update(overrides)
    return SwitchConfig.model_validate(raw)


async def _collect(sw: RunningSwitch, stop: asyncio.Event, ready: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=sw.bootstrap,
        group_id=f"{sw.prefix}collector",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    names = [sw.topic(t) for t in Topic if t not in INPUTS or t is Topic.REBROADCAST_FLAGS]
    consumer.subscribe(names)
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            if consumer.assignment():
                ready.set()
            for records in batch.values():
                sw.outputs.extend((r.topic, json.loads(r.value), r.value) for r in records)
    finally:
        await consumer.stop()


@asynccontextmanager
async def running_switch(
    *,
    kafka_bootstrap: str,
    database_url: str,
    prefix: str,
    providers: Sequence[SimProviderConfig] = (),
    simulators: Sequence[RunningSimulator] = (),
    config_overrides: dict[str, Any] | None = None,
    provider_overrides: dict[str, dict[str, Any]] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    observatory: Observatory | None = None,
    engine: EngineSettings = ENGINE,
) -> AsyncIterator[RunningSwitch]:
    """Simulators, topics, the switch app and an output collector; all stopped on exit."""
    async with AsyncExitStack() as stack:
        sims = [*simulators]
        sims += [await stack.enter_async_context(running_simulator(p)) for p in providers]
        config = switch_config(sims, provider_overrides, **(config_overrides or {}))
        settings = Settings(
            kafka_bootstrap=kafka_bootstrap,
            database_url=SecretStr(database_url),
            topic_prefix=prefix,
            input_partitions=3,
            output_partitions=2,
            consumer_group=f"{prefix}switch",
            engine=engine,
            relay=RELAY,
        )
        await ensure_topics(
            kafka_bootstrap, topic_specs(prefix=prefix, input_partitions=3, output_partitions=2)
        )
        environ = {f"PPU_PROVIDER_{s.config.provider_id}_PASSWORD": PASSWORD for s in sims}
        app = await stack.enter_async_context(
            switch_app(settings, config, environ=environ, clock=clock, observatory=observatory)
        )
        sw = RunningSwitch(
            bootstrap=kafka_bootstrap,
            prefix=prefix,
            sims={s.config.provider_id: s for s in sims},
            app=app,
        )
        stop = asyncio.Event()
        ready = asyncio.Event()
        tasks = [
            asyncio.create_task(app.run(stop)),
            asyncio.create_task(_collect(sw, stop, ready)),
        ]
        await asyncio.wait_for(ready.wait(), timeout=30)
        try:
            yield sw
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)


def new_id() -> str:
    """A fresh id for lookups and events."""
    return str(uuid.uuid4())
