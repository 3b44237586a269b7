"""The connection the repositories accept: a plain or pooled asyncpg connection, or a deferring one.

Repositories only ever execute writes and fetch reads, so they depend on those four methods;
asyncpg's connections and `DeferringConnection` both have them.
"""

from __future__ import annotations

from typing import Any, Protocol


class Connection(Protocol):
    """What repositories call on a connection."""

    async def execute(self, query: str, *args: Any) -> str:
        """Run a write."""
        ...

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        """Read rows."""
        ...

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """Read one row (or None)."""
        ...

    async def fetchval(self, query: str, *args: Any) -> Any:
        """Read one value."""
        ...
