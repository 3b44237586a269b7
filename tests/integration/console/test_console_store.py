"""The console's queries against a real PostgreSQL: the audit log matches actors exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.console.store import ConsoleStore

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ConsoleStore]:
    """A ConsoleStore on a fresh database."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        yield ConsoleStore(pool)
    finally:
        await pool.close()


async def test_an_institution_named_like_another_s_prefix_sees_nothing_of_it(
    store: ConsoleStore,
) -> None:
    """INST sees its users' and its own entries, never those of institution "INST/X"."""
    for actor, institution in (
        ("INST/alice", None),
        ("INST/X/bob", None),
        ("INST/X/carol", "INST/X"),
        ("config:switch.toml", "INST"),
    ):
        await store.record_audit(
            actor=actor,
            action="REBROADCAST_MARK",
            subject="0412",
            institution_id=institution,
            details={},
        )
    entries = await store.audit("INST", ["INST/alice"])
    assert sorted(e.actor for e in entries) == ["INST/alice", "config:switch.toml"]
    theirs = await store.audit("INST/X", ["INST/X/bob", "INST/X/carol"])
    assert sorted(e.actor for e in theirs) == ["INST/X/bob", "INST/X/carol"]
