"""Fixtures of the engine's integration tests: a pool on the fresh test database, with `effects`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.engine_app import EFFECTS_DDL


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool on the test's database, with the test app's `effects` table."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    try:
        await pool.execute(EFFECTS_DDL)
        yield pool
    finally:
        await pool.close()
