"""Migrations on a real PostgreSQL: applied once, recorded, idempotent, append-only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from adapters.postgres.migrate import MigrationError, discover, migrate

pytestmark = pytest.mark.integration


def _write(directory: Path, files: dict[str, str]) -> Path:
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


async def test_the_projects_migrations_are_all_recorded(database_url: str) -> None:
    """The fixture's fresh database has every migration file applied and recorded."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT name FROM schema_migrations ORDER BY version")
        assert [r["name"] for r in rows] == [m.name for m in discover()]
        assert await migrate(conn) == []
    finally:
        await conn.close()


async def test_pending_migrations_apply_in_order_and_write_data(
    database_url: str, tmp_path: Path
) -> None:
    """Files apply in number order; a later one sees the earlier one's table."""
    _write(
        tmp_path,
        {
            "001_meters.sql": "CREATE TABLE m (n text PRIMARY KEY);",
            "002_seed.sql": "INSERT INTO m VALUES ('TST001'), ('TST002');",
        },
    )
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP TABLE schema_migrations")
        assert await migrate(conn, tmp_path) == ["001_meters.sql", "002_seed.sql"]
        assert await migrate(conn, tmp_path) == []
        assert [r["n"] for r in await conn.fetch("SELECT n FROM m ORDER BY n")] == [
            "TST001",
            "TST002",
        ]
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_no_trace(database_url: str, tmp_path: Path) -> None:
    """A broken file rolls back whole and is not recorded, so a fixed file applies later."""
    _write(tmp_path, {"001_bad.sql": "CREATE TABLE half (x int); SELECT no_such_function();"})
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP TABLE schema_migrations")
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(conn, tmp_path)
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 0
    finally:
        await conn.close()


async def test_an_edited_applied_migration_is_refused(database_url: str, tmp_path: Path) -> None:
    """Changing a file after it was applied is an error, not a silent divergence."""
    _write(tmp_path, {"001_t.sql": "CREATE TABLE t (x int);"})
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP TABLE schema_migrations")
        await migrate(conn, tmp_path)
        _write(tmp_path, {"001_t.sql": "CREATE TABLE t (x bigint);"})
        with pytest.raises(MigrationError, match="edited"):
            await migrate(conn, tmp_path)
    finally:
        await conn.close()


async def test_instances_starting_together_apply_each_migration_once(
    database_url: str, tmp_path: Path
) -> None:
    """Two instances migrating at the same moment: one applies, the other finds it done."""
    _write(tmp_path, {"001_count.sql": "CREATE TABLE c (x int); INSERT INTO c VALUES (1);"})
    setup = await asyncpg.connect(database_url)
    await setup.execute("DROP TABLE schema_migrations")
    conns = [await asyncpg.connect(database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c, tmp_path) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, 1]
        assert await setup.fetchval("SELECT count(*) FROM c") == 1
    finally:
        for c in conns:
            await c.close()
        await setup.close()
