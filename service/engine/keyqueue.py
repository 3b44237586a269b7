"""Key ordering: at most one item in flight per key, the others wait in arrival order.

Pure bookkeeping, no asyncio: the runner asks it which items may start now and tells it
when one finishes. Items of different keys run concurrently; items of one key run one
after the other, so a slow or hanging key holds up only its own items.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class KeyQueue(Generic[K, V]):
    """Per-key FIFO queues with one running item per key."""

    def __init__(self) -> None:
        self._waiting: dict[K, deque[V]] = {}
        self._running: set[K] = set()

    def submit(self, key: K, item: V) -> bool:
        """Queue `item`; True when it may start now (nothing of its key is running)."""
        if key in self._running:
            self._waiting.setdefault(key, deque()).append(item)
            return False
        self._running.add(key)
        return True

    def finish(self, key: K) -> V | None:
        """The running item of `key` is done; returns the next item of that key to start, if any."""
        queue = self._waiting.get(key)
        if not queue:
            self._waiting.pop(key, None)
            self._running.discard(key)
            return None
        item = queue.popleft()
        if not queue:
            del self._waiting[key]
        return item

    def drop_waiting(self, predicate: Callable[[V], bool]) -> list[V]:
        """Remove and return waiting (not running) items that match; the rest keep their order."""
        dropped: list[V] = []
        for key in list(self._waiting):
            kept: deque[V] = deque()
            for item in self._waiting[key]:
                (dropped if predicate(item) else kept).append(item)
            if kept:
                self._waiting[key] = kept
            else:
                del self._waiting[key]
        return dropped

    @property
    def running(self) -> int:
        """How many keys have an item running."""
        return len(self._running)

    @property
    def waiting(self) -> int:
        """How many items wait behind a running item of their key."""
        return sum(len(q) for q in self._waiting.values())
