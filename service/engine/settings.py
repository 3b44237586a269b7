"""The engine's settings: consumer tuning, concurrency, deadlines, retries and the outbox relay.

Environment variables carry the `PPU_ENGINE_` / `PPU_RELAY_` prefixes when these classes are
loaded on their own; the service composes them into its `Settings`.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class EngineSettings(BaseSettings):
    """How the consumer runner fetches, runs, retries and commits."""

    model_config = SettingsConfigDict(env_prefix="PPU_ENGINE_", extra="ignore", frozen=True)

    max_in_flight: int = Field(
        2000, ge=1, description="Records fetched and not yet done before partitions pause"
    )
    max_running: int = Field(
        256, ge=1, description="Handlers running at once; the others wait before their deadline"
    )
    batch_size: int = Field(500, ge=1, description="Most records one fetch returns")
    fetch_timeout_ms: int = Field(100, ge=1, description="How long one fetch waits for records")
    event_deadline_s: float = Field(
        90.0, gt=0, description="Deadline of one handler attempt (a lookup plus one 60 s purchase)"
    )
    max_attempts: int = Field(
        5,
        ge=1,
        description="Handler attempts before a transient failure is dead-lettered"
        " (attempts that failed during an outage do not count)",
    )
    max_record_bytes: int = Field(
        65_536,
        ge=1024,
        description="A larger input record (key, value and headers) is dead-lettered unread",
    )
    backoff_base_s: float = Field(
        0.1, gt=0, description="First retry delay ceiling (doubles each retry)"
    )
    backoff_cap_s: float = Field(5.0, gt=0, description="Largest retry delay ceiling")
    commit_interval_s: float = Field(
        0.5, gt=0, description="How often finished offsets are committed"
    )
    commit_timeout_s: float = Field(
        10.0, gt=0, description="A commit (or coordinator probe) taking longer failed"
    )
    drain_deadline_s: float = Field(
        100.0, gt=0, description="Wait for in-flight events on revoke and shutdown"
    )
    stuck_after_s: float = Field(
        60.0, gt=0, description="No poll or only failed commits for this long: stuck"
    )
    max_poll_interval_ms: int = Field(
        300_000, ge=1000, description="Kafka max.poll.interval.ms (rebalance timeout)"
    )
    session_timeout_ms: int = Field(10_000, ge=1000, description="Kafka session.timeout.ms")
    heartbeat_interval_ms: int = Field(3_000, ge=100, description="Kafka heartbeat.interval.ms")
    auto_offset_reset: Literal["earliest", "latest"] = Field(
        "earliest", description="Where a group with no committed offset starts"
    )

    @model_validator(mode="after")
    def _deadlines_fit(self) -> Self:
        # A revocation must drain within the rebalance timeout (max.poll.interval.ms), and an
        # event's deadline must fit within the drain, or revocations would cut events short.
        if self.drain_deadline_s * 1000 >= self.max_poll_interval_ms / 2:
            raise ValueError("drain_deadline_s must be under half of max_poll_interval_ms")
        if self.event_deadline_s > self.drain_deadline_s:
            raise ValueError("event_deadline_s must not exceed drain_deadline_s")
        if self.heartbeat_interval_ms * 3 > self.session_timeout_ms:
            raise ValueError("heartbeat_interval_ms must be at most a third of session_timeout_ms")
        return self


class RelaySettings(BaseSettings):
    """How the outbox relay reads, publishes and waits."""

    model_config = SettingsConfigDict(env_prefix="PPU_RELAY_", extra="ignore", frozen=True)

    batch_size: int = Field(500, ge=1, description="Outbox rows published per round")
    poll_interval_s: float = Field(
        1.0, gt=0, description="Look for rows this often even without a notification"
    )
    leader_retry_s: float = Field(
        2.0, gt=0, description="How often a standby relay tries to become leader"
    )
    error_backoff_s: float = Field(
        1.0, gt=0, description="Wait after a failed round before the next"
    )
