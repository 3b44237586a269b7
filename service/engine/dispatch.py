"""Dispatching: runs records as tasks, one per key at a time, and tracks each partition's offsets.

The dispatcher knows nothing of Kafka: partitions are (topic, partition) pairs and the work is
a coroutine function. A record counts as done only when that function returns; a cancelled
record stays unfinished, so its offset is never committed and it is read again later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable

import structlog

from service.engine.keyqueue import KeyQueue
from service.engine.offsets import OffsetTracker
from service.engine.records import Record

Partition = tuple[str, int]
log = structlog.get_logger(__name__)


class Dispatcher:
    """Key-ordered concurrent execution with per-partition contiguous commit points."""

    def __init__(self, work: Callable[[Record], Awaitable[object]], *, max_running: int) -> None:
        self._work = work
        # Records beyond this wait for a slot before their work (and its deadline) starts, so a
        # burst queues here instead of timing out inside the providers' and the pool's queues.
        self._slots = asyncio.Semaphore(max_running)
        self._trackers: dict[Partition, OffsetTracker] = {}
        self._tasks: dict[Partition, set[asyncio.Task[None]]] = {}
        self._keys: KeyQueue[Hashable, Record] = KeyQueue()
        self._closed: set[Partition] = set()
        self.failure: BaseException | None = None

    def accept(self, partition: Partition, records: Iterable[Record]) -> int:
        """Take fetched records of an open partition; returns how many were new."""
        if partition in self._closed:
            return 0
        tracker = self._trackers.setdefault(partition, OffsetTracker())
        taken = 0
        for record in records:
            if not tracker.add(record.offset):
                continue  # a re-fetch of an offset already handed out
            taken += 1
            if self._keys.submit(record.ordering_key, record):
                self._start(partition, tracker, record)
        return taken

    def _start(self, partition: Partition, tracker: OffsetTracker, record: Record) -> None:
        task = asyncio.create_task(
            self._run(tracker, record), name=f"record-{partition}-{record.offset}"
        )
        tasks = self._tasks.setdefault(partition, set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _run(self, tracker: OffsetTracker, record: Record) -> None:
        try:
            async with self._slots:
                await self._work(record)
            tracker.finish(record.offset)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The work must never raise; if it does the partition cannot move on, so stop.
            log.exception("dispatch_failed", topic=record.topic, offset=record.offset)
            self.failure = self.failure or exc
        finally:
            self._next_of(record.ordering_key)

    def _next_of(self, key: Hashable) -> None:
        while (following := self._keys.finish(key)) is not None:
            partition = (following.topic, following.partition)
            tracker = self._trackers.get(partition)
            if tracker is not None and partition not in self._closed:
                self._start(partition, tracker, following)
                return

    async def close(self, partitions: Iterable[Partition], *, deadline_s: float) -> None:
        """Start no more work for `partitions`; await theirs up to the deadline, cancel the rest."""
        closing = set(partitions)
        self._closed |= closing
        self._keys.drop_waiting(lambda r: (r.topic, r.partition) in closing)
        running = [t for p in closing for t in self._tasks.get(p, ())]
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=deadline_s)
        for task in late:
            task.cancel()
        if late:
            log.warning("drain_deadline_exceeded", cancelled=len(late))
            await asyncio.gather(*late, return_exceptions=True)

    def forget(self, partitions: Iterable[Partition]) -> None:
        """Drop all state of closed partitions, so a later assignment starts afresh."""
        for partition in partitions:
            self._trackers.pop(partition, None)
            self._tasks.pop(partition, None)
            self._closed.discard(partition)

    def committable(self, partitions: Iterable[Partition] | None = None) -> dict[Partition, int]:
        """The commit point of each partition (all when None) that has one."""
        chosen = (
            self._trackers
            if partitions is None
            else {p: self._trackers[p] for p in partitions if p in self._trackers}
        )
        return {p: t.committable for p, t in chosen.items() if t.committable is not None}

    @property
    def partitions(self) -> set[Partition]:
        """Partitions with state."""
        return set(self._trackers)

    @property
    def in_flight(self) -> int:
        """Records taken and not done, running or waiting behind their key."""
        return sum(t.unfinished for t in self._trackers.values())
