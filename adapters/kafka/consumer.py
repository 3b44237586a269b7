"""The engine's Kafka consumer, configured for manual, contiguous commits."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.coordinator.assignors.range import RangePartitionAssignor

from service.engine.settings import EngineSettings


def new_consumer(
    *, bootstrap: str, group: str, settings: EngineSettings, client_id: str = "ppu-switch"
) -> Any:
    """An unstarted consumer for `ConsumerRunner`, which subscribes, starts and stops it.

    Auto commit is off: the runner commits only offsets below which every record is done.
    read_committed hides records of aborted transactions from any transactional producer.
    The range assignor gives one member the same partition numbers of every input topic,
    so a meter's lookups and purchases (same key, same partition count) meet in one instance
    and its per-key ordering covers them all (aiokafka's default, round robin, does not).
    """
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset=settings.auto_offset_reset,
        isolation_level="read_committed",
        max_poll_records=settings.batch_size,
        max_poll_interval_ms=settings.max_poll_interval_ms,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        rebalance_timeout_ms=settings.max_poll_interval_ms,
        partition_assignment_strategy=(RangePartitionAssignor,),
    )
