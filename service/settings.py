"""Service settings: infrastructure from the environment (`PPU_` prefix), business from TOML.

Environment variables carry what differs per deployment (addresses, secrets, tuning);
the TOML file (`PPU_CONFIG_FILE`) carries providers, institutions, utilities and routing.
Settings are loaded once by the entry point and passed explicitly; nothing reads the
environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.engine.retention_settings import RetentionSettings
from service.engine.settings import EngineSettings, RelaySettings

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "deploy" / "config" / "switch.toml"


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="PPU_", extra="ignore", frozen=True)

    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, host:port[,host:port]"
    )
    database_url: SecretStr = Field(
        SecretStr("postgresql://ppu@127.0.0.1:5433/ppu"),
        description="PostgreSQL DSN (holds the password, so it is a secret)",
    )
    config_file: Path = Field(
        DEFAULT_CONFIG_FILE, description="TOML file: providers, institutions, utilities, routing"
    )
    topic_prefix: str = Field(
        "", description="Prepended to every topic name (isolation per environment)"
    )
    input_partitions: int = Field(
        12, ge=1, description="Partitions of input topics the service creates"
    )
    output_partitions: int = Field(
        6, ge=1, description="Partitions of output topics the service creates"
    )
    replication_factor: int = Field(
        1, ge=1, description="Replication factor of the topics the service creates"
    )
    consumer_group: str = Field(
        "ppu-switch", description="Kafka consumer group of the service instances"
    )
    db_pool_size: int = Field(20, ge=1, description="Maximum PostgreSQL connections per instance")
    engine: EngineSettings = Field(
        default_factory=EngineSettings, description="Consumer runner tuning (PPU_ENGINE_*)"
    )
    relay: RelaySettings = Field(
        default_factory=RelaySettings, description="Outbox relay tuning (PPU_RELAY_*)"
    )
    retention: RetentionSettings = Field(
        default_factory=RetentionSettings,
        description="What the retention job deletes and how fast (PPU_RETENTION_*)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: JSON unless stderr is a terminal"
    )
