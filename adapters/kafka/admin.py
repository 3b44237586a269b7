"""Topic creation at start, so a fresh broker works without manual set-up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from service.topics import TopicSpec

log = structlog.get_logger(__name__)


class KafkaUnavailable(Exception):
    """No broker answered at the bootstrap address within the wait."""


async def _admin(bootstrap: str, wait_s: float) -> AIOKafkaAdminClient:
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
        try:
            await admin.start()
            return admin
        except KafkaConnectionError as exc:
            await admin.close()
            if asyncio.get_running_loop().time() >= deadline:
                raise KafkaUnavailable(
                    f"no Kafka broker answered at {bootstrap} within {wait_s:.0f}s"
                ) from exc
            await asyncio.sleep(0.5)


async def _await_visible(admin: AIOKafkaAdminClient, names: set[str], wait_s: float) -> None:
    # Creation is acknowledged before every broker's metadata lists the topic; callers that
    # produce or re-check right away must not see it missing.
    deadline = asyncio.get_running_loop().time() + wait_s
    while not names <= set(await admin.list_topics()):
        if asyncio.get_running_loop().time() >= deadline:
            raise KafkaUnavailable(f"topics {sorted(names)} were not visible within {wait_s:.0f}s")
        await asyncio.sleep(0.1)


async def ensure_topics(
    bootstrap: str, specs: Sequence[TopicSpec], *, replication_factor: int = 1, wait_s: float = 30.0
) -> list[str]:
    """Create the topics that are missing; returns the names created now."""
    admin = await _admin(bootstrap, wait_s)
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            new = [NewTopic(s.name, s.partitions, replication_factor) for s in missing]
            # Another instance may create them between our list and our create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
            await _await_visible(admin, {s.name for s in missing}, wait_s)
        for spec in missing:
            log.info("topic_created", topic=spec.name, partitions=spec.partitions)
        return [s.name for s in missing]
    finally:
        await admin.close()
