"""Writes held back within a transaction and sent together: one round trip instead of several.

Inside a unit of work most writes return nothing the handler needs, yet each cost a round
trip, and on a small machine the round trips were a third of PostgreSQL's CPU per event and
most of a handler's time besides the providers'. `DeferringConnection` queues `execute` calls
and sends them as one statement of data-modifying CTEs: before any read on the connection (so
reads see the transaction's own writes, in order) and at commit, where the outbox rows join.

One combined statement never writes a table twice: PostgreSQL runs the parts of one statement
on one snapshot, so two parts writing the same row would leave only one of the changes. A
write to a table that already has a write pending flushes the pending ones first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adapters.postgres.connection import Connection

_PARAM = re.compile(r"\$(\d+)")
_TABLE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Write:
    """One held-back statement: SQL with $1..$n placeholders, its arguments, the table it writes."""

    sql: str
    args: tuple[Any, ...]
    table: str

    @classmethod
    def of(cls, sql: str, args: tuple[Any, ...]) -> Write:
        """A write, once its one target table is known; anything else is refused."""
        found = _TABLE.match(sql)
        if found is None:
            raise ValueError(f"not a single-table write: {sql.strip()[:60]}")
        return cls(sql, args, found.group(1).lower())


def combined(writes: Sequence[Write], final: str = "SELECT 1") -> tuple[str, list[Any]]:
    """One statement running `writes` as CTEs, then `final` (its $1.. follow the writes')."""
    parts: list[str] = []
    args: list[Any] = []
    for index, write in enumerate(writes):
        parts.append(f"w{index} AS ({_shift(write.sql.strip(), len(args))})")
        args.extend(write.args)
    tail = _shift(final, len(args))
    if not parts:
        return tail, args
    return "WITH " + ",\n".join(parts) + "\n" + tail, args


def _shift(sql: str, offset: int) -> str:
    """Renumber placeholders $n to $(n + offset)."""
    return _PARAM.sub(lambda m: f"${int(m.group(1)) + offset}", sql)


class DeferringConnection:
    """A transaction's connection whose `execute` waits to be sent with the next round trip."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._pending: list[Write] = []

    @property
    def pending(self) -> int:
        """Writes not sent yet."""
        return len(self._pending)

    async def execute(self, query: str, *args: Any) -> str:
        """Queue a write; its status is not known until it is sent, so none is returned."""
        write = Write.of(query, args)
        if any(p.table == write.table for p in self._pending):
            await self.flush()
        self._pending.append(write)
        return ""

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        """Send the pending writes, then read."""
        await self.flush()
        return await self._conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """Send the pending writes, then read one row."""
        await self.flush()
        return await self._conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        """Send the pending writes, then read one value."""
        await self.flush()
        return await self._conn.fetchval(query, *args)

    async def flush(self, final: str | None = None, *final_args: Any) -> None:
        """Send the pending writes, then `final` if given, all in one statement."""
        writes, self._pending = self._pending, []
        if final is None and len(writes) <= 1:
            for write in writes:  # alone, a write needs no CTE around it
                await self._conn.execute(write.sql, *write.args)
            return
        sql, args = combined(writes, final or "SELECT 1")
        await self._conn.execute(sql, *args, *final_args)
