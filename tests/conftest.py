"""Fixtures for real Kafka and PostgreSQL, found in this order: the `PPU_KAFKA_BOOTSTRAP` /
`PPU_DATABASE_URL` environment variables; containers when a Docker engine answers; else the
project's own local services (deploy/local/services.sh), started on first use.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from adapters.postgres.migrate import migrate
from tests.support.containers import docker_answers, start_containers

ROOT = Path(__file__).resolve().parent.parent


def _local_services() -> dict[str, str]:
    state = Path(os.environ.get("PPU_STATE_DIR", ROOT / ".state"))
    subprocess.run([ROOT / "deploy/local/services.sh", "up"], check=True)
    env: dict[str, str] = {}
    for line in (state / "env").read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'\"")
    return env


@pytest.fixture(scope="session")
def service_endpoints() -> Iterator[dict[str, str]]:
    """Kafka bootstrap and PostgreSQL URL of real services for this test session."""
    wanted = {
        k: os.environ[k] for k in ("PPU_KAFKA_BOOTSTRAP", "PPU_DATABASE_URL") if k in os.environ
    }
    if len(wanted) == 2:
        yield wanted
    elif docker_answers():
        with start_containers() as endpoints:
            yield endpoints
    else:
        yield _local_services()


@pytest.fixture(scope="session")
def kafka_bootstrap(service_endpoints: dict[str, str]) -> str:
    """host:port of a real Kafka broker."""
    return service_endpoints["PPU_KAFKA_BOOTSTRAP"]


@pytest.fixture
def topic_prefix() -> str:
    """A prefix unique to one test, so its topics and groups never meet another test's."""
    return f"t{uuid.uuid4().hex[:10]}."


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """A new database with every migration applied on the server of `admin_url`, dropped after."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = _with_database(admin_url, name)
        conn = await asyncpg.connect(url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def database_url(service_endpoints: dict[str, str]) -> AsyncIterator[str]:
    """A fresh database with every migration applied, dropped after the test."""
    async with fresh_database(service_endpoints["PPU_DATABASE_URL"]) as url:
        yield url
