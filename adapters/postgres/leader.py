"""Leader election with a PostgreSQL session-level advisory lock, on one dedicated connection.

Whoever holds the lock leads; it is released when that session ends (clean stop, crash,
network loss), and a standby takes over at its next try. Each role that must run on one
instance at a time (the outbox relay, the retention job) uses its own lock key, so the roles
may lead on different instances. The leader's connection is also where the role does its work:
work done after losing the session is refused, since the lock went with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

# Keys shared by every instance of the service; distinct from each other and from migrations'.
RELAY_LOCK_KEY = 0x5050_5552
RETENTION_LOCK_KEY = 0x5050_5554

OnConnect = Callable[[asyncpg.Connection], Awaitable[None]]


async def _nothing(_: asyncpg.Connection) -> None:
    return None


class AdvisoryLeader:
    """One role's claim to leadership, held on the connection it works on."""

    def __init__(self, dsn: str, *, lock_key: int, on_connect: OnConnect = _nothing) -> None:
        self._dsn = dsn
        self._lock_key = lock_key
        self._on_connect = on_connect
        self._conn: asyncpg.Connection | None = None
        self._leader = False

    async def lead(self) -> bool:
        """Connect if needed and try the lock; True while this session holds it."""
        if self._conn is None or self._conn.is_closed():
            self._leader = False
            self._conn = await asyncpg.connect(self._dsn)
            await self._on_connect(self._conn)
        if not self._leader:
            self._leader = bool(
                await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key)
            )
        return self._leader

    @property
    def connection(self) -> asyncpg.Connection:
        """The leading session; using it before `lead()` returned True is a bug."""
        if self._conn is None or not self._leader:
            raise RuntimeError("the leader's connection is used before lead() returned True")
        return self._conn

    async def reset(self) -> None:
        """Close the session, which also gives up leadership."""
        conn, self._conn, self._leader = self._conn, None, False
        if conn is None or conn.is_closed():
            return
        try:
            await conn.close(timeout=5)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            conn.terminate()  # a session that cannot close politely still must end
