"""Simulator configuration: one or several simulated providers, loaded from TOML."""

from __future__ import annotations

import random
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Operation(StrEnum):
    """The operations the simulator serves (names used in config and controls)."""

    LOOKUP = "lookup"
    PURCHASE = "purchase"
    RETRY = "retry"
    CONFIRMATION = "confirmation"
    REVERSAL = "reversal"
    TRIAL = "trial"
    REPRINT = "reprint"
    FAULT_REPORT = "fault_report"
    KEY_CHANGE = "key_change"
    KEY_CHANGE_CONFIRMATION = "key_change_confirmation"
    PURCHASE_NOTIFICATION = "purchase_notification"


class Fault(StrEnum):
    """What the simulator can do instead of (or after) serving a request."""

    ERROR_500 = "500"
    ERROR_503 = "503"
    ERROR_504 = "504"
    HANG = "hang"
    DROP = "drop"
    MALFORMED = "malformed"
    OVERSIZED = "oversized"
    OUTCOME_UNKNOWN = "outcome_unknown"


class _Strict(BaseModel):
    """Config models reject unknown keys so typos surface at start."""

    model_config = ConfigDict(extra="forbid")


class Latency(_Strict):
    """Added before every answer: fixed, uniform between min and max, or normal."""

    fixed_ms: float | None = Field(default=None, ge=0)
    min_ms: float | None = Field(default=None, ge=0)
    max_ms: float | None = Field(default=None, ge=0)
    mean_ms: float | None = Field(default=None, ge=0)
    stddev_ms: float = Field(default=0.0, ge=0)

    def sample_seconds(self, rng: random.Random) -> float:
        """Draw one delay."""
        if self.fixed_ms is not None:
            return self.fixed_ms / 1000
        if self.min_ms is not None and self.max_ms is not None:
            return rng.uniform(self.min_ms, self.max_ms) / 1000
        if self.mean_ms is not None:
            return max(rng.gauss(self.mean_ms, self.stddev_ms), 0.0) / 1000
        return 0.0


class Faults(_Strict):
    """Shares (0..1) of requests answered with a fault, drawn independently per request."""

    error_500: float = Field(default=0.0, ge=0, le=1)
    error_503: float = Field(default=0.0, ge=0, le=1)
    error_504: float = Field(default=0.0, ge=0, le=1)
    hang: float = Field(default=0.0, ge=0, le=1)
    drop: float = Field(default=0.0, ge=0, le=1)
    hang_seconds: float = Field(default=120.0, ge=0)
    oversized_bytes: int = Field(default=2_097_152, ge=1)
    # Where a purchase fault strikes: after the vend (tokens issued, answer lost) is the hard case.
    stage: Literal["after_vend", "before_vend"] = "after_vend"

    def draw(self, rng: random.Random) -> Fault | None:
        """Pick a fault by the configured shares, or none."""
        roll = rng.random()
        for fault, share in (
            (Fault.ERROR_500, self.error_500),
            (Fault.ERROR_503, self.error_503),
            (Fault.ERROR_504, self.error_504),
            (Fault.HANG, self.hang),
            (Fault.DROP, self.drop),
        ):
            if roll < share:
                return fault
            roll -= share
        return None


class MeterRange(_Strict):
    """An inclusive range of numeric meter numbers of the same length."""

    first: str = Field(pattern=r"^[0-9]+$")
    last: str = Field(pattern=r"^[0-9]+$")

    def covers(self, meter: str) -> bool:
        """Tell whether a meter number falls in the range."""
        if not meter.isdigit() or len(meter) != len(self.first):
            return False
        return int(self.first) <= int(meter) <= int(self.last)


class UtilityCoverage(_Strict):
    """A utility this provider serves, the meters it covers and how it vends for them."""

    utility_id: str
    name: str = Field(max_length=40)
    numbers: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)
    ranges: list[MeterRange] = Field(default_factory=list)
    meter_updated: list[str] = Field(default_factory=list)
    blocked: list[str] = Field(default_factory=list)
    vat_reg_num: str | None = Field(default=None, max_length=10)
    eskom_vat: bool = False
    tokens_per_purchase: int = Field(default=1, ge=1, le=10)
    free_units: float = Field(default=0.0, ge=0)
    rate_cents_per_unit: float = Field(default=250.0, gt=0)
    min_amount: int = Field(default=500, ge=0)
    max_amount: int = Field(default=300_000, ge=0)
    supply_group_code: str = Field(default="600123", pattern=r"^[0-9]{6}$")
    # What a provider may or may not send (contract v1.1 tests both kinds of provider).
    arrears: int | None = Field(default=None, ge=0)  # lookup arrearsAmount; None: not sent
    amount_limits: bool = True  # lookups carry minAmount/maxAmount (still enforced when not sent)
    tariff_blocks: bool = False  # paid tokens carry tariffCalc
    tax_total: bool = True  # purchase answers carry taxTotal (else only per-token tax)
    vat_invoice_number: bool = False  # purchase answers carry a vatInvoiceNumber

    def covers(self, meter: str) -> bool:
        """Tell whether this utility's coverage includes the meter."""
        return (
            meter in self.numbers
            or meter in self.meter_updated
            or meter in self.blocked
            or any(meter.startswith(prefix) for prefix in self.prefixes)
            or any(r.covers(meter) for r in self.ranges)
        )


class SimProviderConfig(_Strict):
    """One simulated provider."""

    provider_id: str = "90000"
    name: str = "Electrum Test Server"
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    username: str | None = None
    password: str | None = None
    test_meters: bool = True
    slow_meter_seconds: float = Field(default=10.0, ge=0)
    latency: Latency = Latency()
    faults: Faults = Faults()
    seed: int | None = None
    utilities: list[UtilityCoverage] = Field(default_factory=list)
    unsupported_operations: list[Operation] = Field(default_factory=list)
    retry_unknown: Literal["vend", "decline"] = "vend"

    @model_validator(mode="after")
    def _credentials_together(self) -> Self:
        """Enforce basic auth only with both a user and a password."""
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        return self


class SimulatorFile(_Strict):
    """A config file: several providers, each served on its own port."""

    providers: list[SimProviderConfig] = Field(min_length=1)


def parse_config(text: str) -> SimulatorFile:
    """Parse TOML: either [[providers]] tables or one provider's keys at the top level."""
    data = tomllib.loads(text)
    if "providers" in data:
        return SimulatorFile.model_validate(data)
    return SimulatorFile(providers=[SimProviderConfig.model_validate(data)])


def load_config(path: Path) -> SimulatorFile:
    """Read a config file (at start-up, before the event loop serves anything)."""
    return parse_config(path.read_text(encoding="utf-8"))
