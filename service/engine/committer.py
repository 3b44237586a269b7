"""Committing: finished offsets go to Kafka one commit at a time; the coordinator is probed.

aiokafka retries a commit internally while the coordinator is unreachable, so a commit can
hang for as long as the broker is down; each commit runs under a timeout and a timeout
counts as a failed commit in the liveness record.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from service.engine.dispatch import Partition
from service.engine.liveness import Liveness

log = structlog.get_logger(__name__)
_COMMIT_ERRORS = (KafkaError, TimeoutError)


class Committer:
    """Commits offsets that moved, one commit at a time, so an old one never lands after a newer."""

    def __init__(
        self,
        *,
        consumer: Any,
        offsets: Callable[[Iterable[Partition] | None], Mapping[Partition, int]],
        liveness: Liveness,
        timeout_s: float,
    ) -> None:
        self._consumer = consumer
        self._offsets = offsets
        self._liveness = liveness
        self._timeout_s = timeout_s
        self._committed: dict[Partition, int] = {}
        self._lock = asyncio.Lock()

    async def commit(self, partitions: Iterable[Partition] | None = None) -> bool:
        """Commit the offsets of `partitions` (all when None) that moved; False when it failed."""
        async with self._lock:
            # The offsets are read under the lock: a commit that waited for a revocation's
            # commit must not send the revoked partitions' older offsets after it.
            offsets = self._offsets(partitions)
            moved = {p: o for p, o in offsets.items() if self._committed.get(p) != o}
            if not moved:
                return True
            try:
                async with asyncio.timeout(self._timeout_s):
                    await self._consumer.commit({TopicPartition(*p): o for p, o in moved.items()})
            except _COMMIT_ERRORS as exc:
                self._liveness.commit_failed(time.monotonic())
                log.warning(
                    "commit_failed", error=f"{type(exc).__name__}: {exc}", partitions=len(moved)
                )
                return False
            self._committed.update(moved)
            self._liveness.committed(time.monotonic())
            log.debug("committed", offsets={f"{t}-{p}": o for (t, p), o in moved.items()})
            return True

    async def probe(self) -> None:
        """Ask the coordinator for a committed offset, to find out whether it still answers."""
        assigned = sorted(self._consumer.assignment())
        if not assigned:
            return
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._consumer.committed(assigned[0])
        except _COMMIT_ERRORS as exc:
            self._liveness.commit_failed(time.monotonic())
            log.warning("coordinator_probe_failed", error=f"{type(exc).__name__}: {exc}")
            return
        self._liveness.committed(time.monotonic())

    def forget(self, partitions: set[Partition]) -> None:
        """Drop what is known of revoked partitions (their next owner commits them)."""
        for partition in partitions:
            self._committed.pop(partition, None)
