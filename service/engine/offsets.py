"""Per-partition offset tracking: the commit point is the end of the contiguous done prefix.

Records of one partition finish out of order (different keys run concurrently). Committing
the highest finished offset would skip the unfinished ones below it after a crash, so the
tracker commits only up to the lowest offset that is not done yet, as Confluent's Parallel
Consumer does. Offsets need not be contiguous (compaction, transaction markers).
"""

from __future__ import annotations

from collections import deque


class OffsetTracker:
    """Offsets of one partition handed out for processing, and which of them are done."""

    def __init__(self) -> None:
        self._pending: deque[int] = deque()
        self._done: set[int] = set()
        self._last_added: int | None = None
        self._next: int | None = None

    def add(self, offset: int) -> bool:
        """Start tracking `offset`; False (ignored) when it is not above every offset seen."""
        if self._last_added is not None and offset <= self._last_added:
            return False
        self._last_added = offset
        self._pending.append(offset)
        return True

    def finish(self, offset: int) -> None:
        """Mark `offset` done and move the commit point past the done prefix."""
        if offset in self._done or not self._pending or offset < self._pending[0]:
            return
        self._done.add(offset)
        while self._pending and self._pending[0] in self._done:
            head = self._pending.popleft()
            self._done.discard(head)
            self._next = head + 1

    @property
    def committable(self) -> int | None:
        """The offset to commit (the next one to read), or None when nothing is done yet."""
        return self._next

    @property
    def unfinished(self) -> int:
        """How many tracked offsets are not done."""
        return len(self._pending) - len(self._done)

    @property
    def lowest_unfinished(self) -> int | None:
        """The offset holding the commit point back, if any."""
        return self._pending[0] if self._pending else None
