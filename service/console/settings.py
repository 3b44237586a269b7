"""The console's settings (`PPU_CONSOLE_*`), loaded by `python -m service console`."""

from __future__ import annotations

import secrets

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _local_secret() -> SecretStr:
    # A fresh secret per process suits one local console; sessions end when it restarts.
    return SecretStr(secrets.token_urlsafe(32))


class ConsoleSettings(BaseSettings):
    """Where the console listens, how it signs sessions, and how it reads the metrics."""

    model_config = SettingsConfigDict(env_prefix="PPU_CONSOLE_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Listen address")
    port: int = Field(8088, ge=0, le=65535, description="Listen port (0: any free port)")
    secret: SecretStr = Field(
        default_factory=_local_secret,
        description="Signs session cookies and CSRF tokens; set it when several consoles serve",
    )
    session_ttl_s: int = Field(8 * 3600, ge=60, description="A sign-in lasts this long")
    secure_cookies: bool = Field(False, description="Mark cookies Secure (behind HTTPS)")
    metrics_window_s: float = Field(
        120.0, gt=0, description="Snapshots older than this are not shown on Provider health"
    )
    search_limit: int = Field(10, ge=1, le=100, description="Suggestions per search")
    mark_wait_s: float = Field(
        3.0, ge=0, description="How long Confirm support waits to see its MARK recorded"
    )
