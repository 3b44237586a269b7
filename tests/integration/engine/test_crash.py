"""SIGKILL a process running the engine mid-stream and restart it: one effect per input."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.integration.engine.kit import (
    create_topics,
    effects_at_least,
    effects_by_key,
    eventually,
    ping,
    produce,
    read_all,
)
from tests.support.engine_app import Ping, output_for

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
KEYS = [f"m{i}" for i in range(30)]
ROUNDS = 20


async def _start_app(bootstrap: str, dsn: str, prefix: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PPU_KAFKA_BOOTSTRAP": bootstrap,
        "APP_DATABASE_URL": dsn,
        "APP_TOPIC_PREFIX": prefix,
        "APP_GROUP": f"{prefix}g",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.engine_app",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _kill_mid_stream(
    app: tuple[str, str, str], pool: asyncpg.Pool, *, after_effects: int
) -> int:
    """Start the app, SIGKILL it once `after_effects` effects exist; return the count then."""
    proc = await _start_app(*app)
    try:
        await eventually(effects_at_least(pool, after_effects), within_s=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    return int(await pool.fetchval("SELECT count(*) FROM effects"))


async def _run_to_the_end(app: tuple[str, str, str], pool: asyncpg.Pool, *, inputs: int) -> None:
    """Start the app, wait for every effect and every publication, then stop it cleanly."""

    async def finished() -> bool:
        unpublished = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return bool(await effects_at_least(pool, inputs)()) and unpublished == 0

    proc = await _start_app(*app)
    try:
        await eventually(finished, within_s=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=30) == 0


async def test_sigkill_mid_stream_then_restart_applies_every_input_once_and_publishes_every_output(
    kafka_bootstrap: str, topic_prefix: str, pool: asyncpg.Pool, database_url: str
) -> None:
    """Two SIGKILLs mid-stream, then a clean run: one effect per input, in order, all published."""
    topics = ("in", 4), ("out", 4), ("dlq", 1)
    await create_topics(kafka_bootstrap, *((f"{topic_prefix}{name}", n) for name, n in topics))
    events = {uuid.uuid4(): (k, seq) for seq in range(ROUNDS) for k in KEYS}
    await produce(
        kafka_bootstrap, f"{topic_prefix}in", [(k, ping(e, k, s)) for e, (k, s) in events.items()]
    )
    app = (kafka_bootstrap, database_url, topic_prefix)

    killed_at = [await _kill_mid_stream(app, pool, after_effects=n) for n in (100, 300)]
    assert killed_at[-1] < len(events)  # the kills landed mid-stream
    await _run_to_the_end(app, pool, inputs=len(events))

    applied, by_key = await effects_by_key(pool)
    assert sorted(applied) == sorted(events)  # exactly one effect each
    assert by_key == {k: list(range(ROUNDS)) for k in KEYS}
    outputs = (
        output_for(Ping(event_id=e, key=k, seq=s), f"{topic_prefix}out")
        for e, (k, s) in events.items()
    )
    expected = {str(out.event_id).encode(): out.payload for out in outputs}
    published = await read_all(
        kafka_bootstrap, f"{topic_prefix}out", count=len(expected), partitions=4
    )
    copies = {(dict(r.headers)["event_id"], r.value) for r in published}
    assert {event_id for event_id, _ in copies} == expected.keys()
    assert all(
        expected[event_id] == value for event_id, value in copies
    )  # any copy is byte-identical
