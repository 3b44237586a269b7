"""Which model each topic of the contract carries, keyed by the topic's default name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from schemas.v1 import (
    DeadLetter,
    Event,
    LookupCompleted,
    LookupRequested,
    MeterBlocked,
    Metrics,
    PurchaseFailed,
    PurchaseRequested,
    RebroadcastFlag,
    SupportUpdated,
    TokenIssued,
)


class Direction(StrEnum):
    """Seen from the switch: it consumes inputs, produces outputs, and does both on flags."""

    INPUT = "INPUT"
    OUTPUT = "OUTPUT"
    BOTH = "BOTH"


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicContract:
    """One topic: default name, payload model, direction and what its record key holds."""

    topic: str
    model: type[Event]
    direction: Direction
    key: str = "normalised meter number"


_CONTRACTS = (
    TopicContract(topic="ppu.lookup.requested", model=LookupRequested, direction=Direction.INPUT),
    TopicContract(
        topic="ppu.purchase.requested", model=PurchaseRequested, direction=Direction.INPUT
    ),
    TopicContract(topic="ppu.rebroadcast.flags", model=RebroadcastFlag, direction=Direction.BOTH),
    TopicContract(topic="ppu.lookup.completed", model=LookupCompleted, direction=Direction.OUTPUT),
    TopicContract(topic="ppu.token.issued", model=TokenIssued, direction=Direction.OUTPUT),
    TopicContract(topic="ppu.meter.blocked", model=MeterBlocked, direction=Direction.OUTPUT),
    TopicContract(topic="ppu.purchase.failed", model=PurchaseFailed, direction=Direction.OUTPUT),
    TopicContract(topic="ppu.support.updated", model=SupportUpdated, direction=Direction.OUTPUT),
    TopicContract(
        topic="ppu.metrics", model=Metrics, direction=Direction.OUTPUT, key="service instance id"
    ),
    TopicContract(
        topic="ppu.dead-letter",
        model=DeadLetter,
        direction=Direction.OUTPUT,
        key="the original record's key, unchanged",
    ),
)

CONTRACTS: Mapping[str, TopicContract] = MappingProxyType({c.topic: c for c in _CONTRACTS})
"""Every topic of the v1 contract by default name, in the order DESIGN.md lists them."""

TOPIC_MODELS: Mapping[str, type[Event]] = MappingProxyType({c.topic: c.model for c in _CONTRACTS})
"""Default topic name to the pydantic model of its payload."""


def model_for(topic: str) -> type[Event]:
    """The payload model of a default topic name; KeyError names the unknown topic."""
    try:
        return TOPIC_MODELS[topic]
    except KeyError:
        raise KeyError(f"no v1 contract for topic {topic!r}") from None
