"""What a consumer without ordering may commit: per partition, below the first record not done."""

from __future__ import annotations

from collections.abc import Hashable


class Offsets:
    """Per partition: offsets taken and not yet done, and the offset that may be committed."""

    def __init__(self) -> None:
        self._pending: dict[Hashable, dict[int, None]] = {}
        self._next: dict[Hashable, int] = {}

    def taken(self, partition: Hashable, offset: int) -> None:
        """A record was fetched (offsets arrive in order within a partition)."""
        self._pending.setdefault(partition, {})[offset] = None
        self._next[partition] = offset + 1

    def done(self, partition: Hashable, offset: int) -> None:
        """A record's output was produced."""
        self._pending[partition].pop(offset, None)

    def committable(self) -> dict[Hashable, int]:
        """Per partition: the first offset not yet done, or the next one when all are done."""
        return {p: next(iter(self._pending[p]), nxt) for p, nxt in self._next.items()}
