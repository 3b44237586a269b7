"""The retention job's settings (`PPU_RETENTION_*`): how long each kind of row is kept, and pace.

Windows are in days. `processed_events_days` must outlast the input topics' Kafka retention
(`input_retention_days`; Kafka's default, 7 days, as the switch creates its topics without
another): a record the broker still holds can be redelivered (a consumer group reset, a
rebalance after a long stall, a producer's duplicate), and only its mark in `processed_events`
stops it from being applied a second time, or tells a reused `event_id` from a replay. The
service composes this class into its `Settings`; loaded on its own it reads the prefixed
environment variables.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetentionSettings(BaseSettings):
    """Windows of the deletable rows, the size of one delete, and how often the job runs."""

    model_config = SettingsConfigDict(env_prefix="PPU_RETENTION_", extra="ignore", frozen=True)

    enabled: bool = Field(True, description="Run the retention job (one leader at a time)")
    outbox_days: float = Field(
        7.0, gt=0, description="Published outbox rows older than this are deleted"
    )
    processed_events_days: float = Field(
        14.0, gt=0, description="Marks of applied input events kept this long"
    )
    input_retention_days: float = Field(
        7.0, gt=0, description="The input topics' Kafka retention; the marks must outlast it"
    )
    attempts_days: float = Field(
        90.0, gt=0, description="Attempts of purchases finished longer ago than this are deleted"
    )
    advices_days: float = Field(
        90.0, gt=0, description="Delivered or rejected advices finished longer ago are deleted"
    )
    batch_size: int = Field(1000, ge=1, le=100_000, description="Rows one DELETE removes at most")
    pause_s: float = Field(0.2, ge=0, description="Pause between two batches")
    interval_s: float = Field(
        600.0, gt=0, description="Time between runs; a standby tries to lead this often"
    )
    statement_timeout_s: float = Field(
        30.0, gt=0, description="One batch taking longer is cancelled and the run ends"
    )

    @model_validator(mode="after")
    def _marks_outlast_the_topics(self) -> Self:
        # A mark deleted while the broker still holds its record lets a redelivery apply twice.
        if self.processed_events_days <= self.input_retention_days:
            raise ValueError("processed_events_days must exceed input_retention_days")
        return self
