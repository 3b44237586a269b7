"""Output events for operators: metrics snapshots and dead letters."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    StrictBool,
    StrictStr,
)

from schemas.v1.base import ContractModel, Event, Id
from schemas.v1.enums import CircuitState


def _is_base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError("must be standard base64") from exc
    return value


Base64Text = Annotated[
    StrictStr, AfterValidator(_is_base64), Field(json_schema_extra={"contentEncoding": "base64"})
]


class ProviderMetrics(ContractModel):
    """One provider's figures over the snapshot's window."""

    provider_id: Id
    requests: NonNegativeInt
    errors: NonNegativeInt
    timeouts: NonNegativeInt
    latency_p50_ms: NonNegativeFloat | None = None
    latency_p95_ms: NonNegativeFloat | None = None
    latency_max_ms: NonNegativeFloat | None = None
    circuit: CircuitState


class TopicMetrics(ContractModel):
    """One input topic's figures: processed in the window, and the consumer lag now."""

    topic: Id
    processed: NonNegativeInt
    lag: NonNegativeInt


class TableMetrics(ContractModel):
    """One PostgreSQL table of the switch: its size now, from the database's statistics."""

    table: Id
    rows_estimate: NonNegativeInt | None = Field(
        description="The planner's row estimate; null before the table was first analysed"
    )
    bytes: NonNegativeInt = Field(description="Bytes on disk, indexes and TOAST included")


class Metrics(Event):
    """`ppu.metrics`: a periodic snapshot for SREs."""

    instance_id: Id = Field(description="The service instance that took the snapshot")
    window_seconds: NonNegativeFloat
    providers: list[ProviderMetrics]
    topics: list[TopicMetrics] = Field(default_factory=list)
    events_processed: NonNegativeInt
    lag: NonNegativeInt
    in_flight: NonNegativeInt
    dead_letters: NonNegativeInt
    tables: list[TableMetrics] = Field(
        default_factory=list, description="Sizes of the switch's database tables"
    )


class DeadLetter(Event):
    """`ppu.dead-letter`: a record the service could not process, kept byte for byte."""

    source_topic: Id
    source_partition: NonNegativeInt
    source_offset: NonNegativeInt
    original_key: Base64Text | None = Field(
        description="The record's key bytes, base64; null if none"
    )
    original_value: Base64Text | None = Field(
        description="The record's value bytes, base64; only the first bytes when truncated"
    )
    original_length: NonNegativeInt | None = Field(
        default=None, description="Bytes of the whole original value (v1.1)"
    )
    original_sha256: StrictStr | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) of the whole original value (v1.1)",
    )
    original_truncated: StrictBool = Field(
        default=False,
        description="True when the key, value or headers were cut to fit the topic (v1.1)",
    )
    reason: StrictStr = Field(min_length=1)
    error_type: StrictStr | None = None

    @classmethod
    def encode_bytes(cls, raw: bytes | None) -> str | None:
        """Base64 text for raw record bytes, as `original_key`/`original_value` expect."""
        return None if raw is None else base64.b64encode(raw).decode("ascii")

    def value_bytes(self) -> bytes | None:
        """The original value bytes back."""
        return None if self.original_value is None else base64.b64decode(self.original_value)
