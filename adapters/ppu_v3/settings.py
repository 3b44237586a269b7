"""Per-provider settings of the PPU v3 adapter (pydantic, loaded once, passed explicitly)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr


class OperationTimeouts(BaseModel):
    """Seconds to wait for each operation's answer; past it the outcome is unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lookup: float = Field(default=10.0, gt=0)
    purchase: float = Field(default=60.0, gt=0)
    retry: float = Field(default=60.0, gt=0)
    advice: float = Field(default=30.0, gt=0)
    trial: float = Field(default=30.0, gt=0)
    reprint: float = Field(default=30.0, gt=0)
    fault_report: float = Field(default=30.0, gt=0)
    key_change: float = Field(default=30.0, gt=0)


class BreakerSettings(BaseModel):
    """When a provider's circuit opens and how it probes its way back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    failure_threshold: int = Field(default=5, ge=1)
    open_seconds: float = Field(default=30.0, gt=0)
    half_open_probes: int = Field(default=1, ge=1)


class OriginatorSettings(BaseModel):
    """How the switch fills the wire's mandatory originator and client fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str = "270000"
    client_name: str = Field(default="PPU Switch", max_length=40)
    terminal_id: str = Field(default="PPUSWTCH", min_length=8, max_length=8)
    merchant_type: str = Field(default="4900", pattern=r"^[0-9]{4}$")
    merchant_id: str = Field(default="PPUSWITCH000001", min_length=15, max_length=15)
    merchant_name: str = Field(default="PPU Switch", max_length=23)
    merchant_city: str = Field(default="Johannesburg", max_length=13)
    merchant_region: str = Field(default="GP", max_length=2)
    merchant_country: str = Field(default="ZA", max_length=2)


class ProviderSettings(BaseModel):
    """One provider: identity, endpoint, credentials, timeouts, bulkhead and breaker."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider_id: str
    name: str
    base_url: AnyHttpUrl
    username: str
    password: SecretStr
    timeouts: OperationTimeouts = OperationTimeouts()
    max_connections: int = Field(default=64, ge=1)
    keepalive_seconds: float = Field(default=30.0, gt=0)
    max_response_bytes: int = Field(default=1_048_576, ge=1024)
    late_response_grace_seconds: float = Field(default=5.0, ge=0)
    lookup_attempts: int = Field(default=2, ge=1)
    unreached_attempts: int = Field(default=3, ge=1)
    retry_backoff_seconds: float = Field(default=0.05, ge=0)
    not_supported_error_types: frozenset[str] = frozenset({"UNKNOWN_METER_ID"})
    breaker: BreakerSettings = BreakerSettings()
    originator: OriginatorSettings = OriginatorSettings()

    @property
    def api_root(self) -> str:
        """The base URL with the interface's base path, never doubled."""
        root = str(self.base_url).rstrip("/")
        suffix = "/prepaidutility/v3"
        return root if root.endswith(suffix) else root + suffix
