"""The rebalance listener: hands revocations and assignments to the runner.

aiokafka awaits `on_partitions_revoked` before it re-joins the group, and the heartbeat keeps
running meanwhile, so the runner can drain and commit the revoked partitions inside it, as
long as it finishes within the rebalance timeout (max.poll.interval.ms).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import ConsumerRebalanceListener

from service.engine.dispatch import Partition

PartitionsHook = Callable[[set[Partition]], Awaitable[None]]


class RunnerRebalanceListener(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    """Forwards partition changes to the runner's hooks."""

    def __init__(self, *, on_revoked: PartitionsHook, on_assigned: PartitionsHook) -> None:
        self._on_revoked = on_revoked
        self._on_assigned = on_assigned

    async def on_partitions_revoked(self, revoked: Any) -> None:
        """Drain, commit and forget the revoked partitions."""
        await self._on_revoked({(tp.topic, tp.partition) for tp in revoked})

    async def on_partitions_assigned(self, assigned: Any) -> None:
        """Note the new assignment (a paused runner pauses the new partitions too)."""
        await self._on_assigned({(tp.topic, tp.partition) for tp in assigned})
