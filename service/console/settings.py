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
        description="Signs the sign-in form's CSRF tokens; set it when several consoles serve",
    )
    session_ttl_s: int = Field(8 * 3600, ge=60, description="A sign-in lasts at most this long")
    idle_timeout_s: int = Field(30 * 60, ge=60, description="A session unused this long has ended")
    sign_in_window_s: int = Field(15 * 60, ge=1, description="Failed sign-ins count for this long")
    sign_in_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins per institution and username within the window"
    )
    sign_in_max_per_address: int = Field(
        20, ge=1, description="Failed sign-ins per client address within the window"
    )
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, description="Larger request bodies are refused with 400"
    )
    secure_cookies: bool = Field(False, description="Mark cookies Secure (behind HTTPS)")
    metrics_window_s: float = Field(
        120.0, gt=0, description="Snapshots older than this are not shown on Provider health"
    )
    search_limit: int = Field(10, ge=1, le=100, description="Suggestions per search")
    mark_wait_s: float = Field(
        3.0, ge=0, description="How long Confirm support waits to see its MARK recorded"
    )
