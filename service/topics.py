"""The contract's topics (DESIGN.md, v1) and how many partitions each gets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    """Default topic names of the public contract."""

    LOOKUP_REQUESTED = "ppu.lookup.requested"
    PURCHASE_REQUESTED = "ppu.purchase.requested"
    REBROADCAST_FLAGS = "ppu.rebroadcast.flags"
    LOOKUP_COMPLETED = "ppu.lookup.completed"
    TOKEN_ISSUED = "ppu.token.issued"  # noqa: S105 - a topic name, not a credential
    METER_BLOCKED = "ppu.meter.blocked"
    PURCHASE_FAILED = "ppu.purchase.failed"
    SUPPORT_UPDATED = "ppu.support.updated"
    METRICS = "ppu.metrics"
    DEAD_LETTER = "ppu.dead-letter"


INPUTS = (Topic.LOOKUP_REQUESTED, Topic.PURCHASE_REQUESTED, Topic.REBROADCAST_FLAGS)


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic to create: its full name and partition count."""

    name: str
    partitions: int


def topic_specs(*, prefix: str, input_partitions: int, output_partitions: int) -> list[TopicSpec]:
    """Every contract topic with its prefix; inputs get more partitions, as they set parallelism.

    Metrics go to one partition so a reader sees snapshots in the order they were taken.
    """
    specs = []
    for topic in Topic:
        if topic in INPUTS:
            parts = input_partitions
        elif topic is Topic.METRICS:
            parts = 1
        else:
            parts = output_partitions
        specs.append(TopicSpec(f"{prefix}{topic.value}", parts))
    return specs
