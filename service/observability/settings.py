"""Settings of the SRE signals: the metrics snapshots (`PPU_METRICS_*`) and the health server
(`PPU_HEALTH_*`). Loaded by the entry point and passed explicitly.
"""

from __future__ import annotations

import os
import socket

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_instance_id() -> str:
    """Host name and process id: unique per running instance, readable by a person."""
    return f"{socket.gethostname()}-{os.getpid()}"


class MetricsSettings(BaseSettings):
    """How often snapshots go to `ppu.metrics`, and the window their figures cover."""

    model_config = SettingsConfigDict(env_prefix="PPU_METRICS_", extra="ignore", frozen=True)

    interval_s: float = Field(10.0, gt=0, description="Publish a snapshot this often")
    window_s: float = Field(
        300.0, gt=0, description="Rates and latency percentiles cover this many seconds"
    )
    instance_id: str = Field(
        default_factory=default_instance_id, description="Names this instance in snapshots"
    )


class HealthSettings(BaseSettings):
    """Where `/healthz`, `/readyz` and `/metrics` listen, and how long a probe may take."""

    model_config = SettingsConfigDict(env_prefix="PPU_HEALTH_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Listen address of the health server")
    port: int = Field(8087, ge=0, le=65535, description="Listen port (0: any free port)")
    probe_timeout_s: float = Field(
        2.0, gt=0, description="A Kafka or PostgreSQL probe taking longer fails"
    )
