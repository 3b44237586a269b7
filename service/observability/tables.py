"""Table sizes for the SRE signals: what the database reports, and the port that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSize:
    """One table: estimated rows (None while unknown) and bytes on disk, indexes included."""

    table: str
    rows_estimate: int | None
    bytes: int


class TableSizes(Protocol):
    """Reads the sizes cheaply (from statistics, never by counting)."""

    async def table_sizes(self) -> list[TableSize]:
        """Every table's size now; empty when the database cannot say."""
        ...
