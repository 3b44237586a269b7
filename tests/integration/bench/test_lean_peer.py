"""The lean peer does the work it is measured for: provider calls, a row and an output per event."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from adapters.kafka.admin import ensure_topics
from adapters.ppu_v3.simulator.config import parse_config
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulators
from service.topics import Topic, topic_specs
from tests.bench.configs import PROVIDERS, BenchTopology, simulators_toml, switch_toml
from tests.bench.lean import run_lean
from tests.bench.stack import free_port
from tests.bench.traffic import Traffic

pytestmark = pytest.mark.integration


def _calls(simulators: list[RunningSimulator]) -> int:
    """Requests the providers received (a lookup carries a fresh id, a purchase its own)."""
    return sum(len(s.state.seen_ids) for s in simulators)


def _vends(simulators: list[RunningSimulator]) -> int:
    """Purchases the providers vended."""
    return sum(len(s.ledger.vends()) for s in simulators)


@contextlib.asynccontextmanager
async def _lean(env: dict[str, str]) -> AsyncIterator[None]:
    """The lean peer in this process until the block ends; then it drains and commits."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_lean(env, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def _committed(bootstrap: str, group: str, topic: str) -> int:
    """Sum of the group's committed offsets over the topic's partitions."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(2)]
        return sum([await consumer.committed(tp) or 0 for tp in parts])
    finally:
        await consumer.stop()


async def _setup(
    bootstrap: str, database_url: str, prefix: str, tmp_path: Path
) -> tuple[BenchTopology, dict[str, str]]:
    """The bench's providers at 5 ms, its switch file, the topics, and the lean peer's env."""
    topo = BenchTopology(
        ports={pid: free_port() for pid, *_ in PROVIDERS},
        password=secrets.token_urlsafe(8),
        latency_ms=5.0,
        faulty_timeout_s=1.0,
        max_connections=10,
    )
    config = tmp_path / "switch.toml"
    config.write_text(switch_toml(topo))
    await ensure_topics(
        bootstrap, topic_specs(prefix=prefix, input_partitions=2, output_partitions=2)
    )
    return topo, {
        "PPU_KAFKA_BOOTSTRAP": bootstrap,
        "PPU_DATABASE_URL": database_url,
        "PPU_TOPIC_PREFIX": prefix,
        "PPU_CONSUMER_GROUP": f"{prefix}lean",
        "PPU_CONFIG_FILE": str(config),
        **topo.password_env(),
    }


async def test_lean_peer_broadcasts_unknown_meters_then_calls_one_provider(
    kafka_bootstrap: str, database_url: str, topic_prefix: str, tmp_path: Path
) -> None:
    """Unknown meters ask all 3 providers, known ones 1, a purchase calls purchase once; every
    input gets one output and one row, and the group commits past every input."""
    topo, env = await _setup(kafka_bootstrap, database_url, topic_prefix, tmp_path)
    group = env["PPU_CONSUMER_GROUP"]
    meters = ["11000000001", "12000000002", "13000000003"]
    sims_file = parse_config(simulators_toml(topo))
    async with (
        running_simulators(sims_file) as sims,
        _lean(env),
        Traffic(bootstrap=kafka_bootstrap, prefix=topic_prefix, output_partitions=2) as traffic,
    ):
        first = await traffic.run("unknown", "lookup", meters, rate=None, timeout_s=30)
        assert _calls(sims) == 9
        again = await traffic.run("known", "lookup", meters, rate=None, timeout_s=30)
        assert _calls(sims) == 12
        bought = await traffic.run("purchases", "purchase", meters, rate=None, timeout_s=30)
        assert (_calls(sims), _vends(sims)) == (15, 3)
    assert [len(r.out_ms) for r in (first, again, bought)] == [3, 3, 3]
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM lean_results") == 9
    finally:
        await conn.close()
    lookups = f"{topic_prefix}{Topic.LOOKUP_REQUESTED.value}"
    purchases = f"{topic_prefix}{Topic.PURCHASE_REQUESTED.value}"
    assert await _committed(kafka_bootstrap, group, lookups) == 6
    assert await _committed(kafka_bootstrap, group, purchases) == 3
