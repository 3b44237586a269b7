"""Schema migrations: ordered SQL files applied once each, recorded in `schema_migrations`.

Files are `NNN_name.sql` in `adapters/postgres/migrations/`. Each runs in its own
transaction under an advisory lock, so several instances starting at once apply it once.
A recorded file whose text changed is an error: migrations are append-only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import structlog

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x5050_5553  # any constant shared by every instance of the service
log = structlog.get_logger(__name__)


class MigrationError(Exception):
    """The migration files and the database's record disagree."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text, to notice edits to applied migrations."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in order; a misnamed file or a repeated number is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNN_snake_case.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(
                f"{path.name}: version {version} is taken by {found[version].name}"
            )
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the pending migrations; returns the names applied now (empty when up to date)."""
    migrations = discover(directory)
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_LEDGER)
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        recorded = {r["version"]: r for r in rows}
        for m in migrations:
            if (row := recorded.get(m.version)) is not None:
                if row["checksum"] != m.checksum:
                    raise MigrationError(
                        f"{m.name} was edited after it was applied as {row['name']}"
                    )
                continue
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    m.version,
                    m.name,
                    m.checksum,
                )
            log.info("migration_applied", migration=m.name)
            applied_now.append(m.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
