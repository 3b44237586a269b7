"""The switch's business configuration: one TOML file of providers, institutions, utilities
and routing. Secrets never live in it: a provider's password comes from the environment
variable `PPU_PROVIDER_<ID>_PASSWORD`, an institution's console password only as a hash.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

UtilityType = Literal["ELECTRICITY", "WATER", "GAS"]
_SECRET_KEYS = {"password", "secret", "token", "api_key"}


class ConfigError(Exception):
    """The configuration file cannot be used; the message says where and why."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SwitchRules(_Frozen):
    """Switch-wide knobs of the domain rules."""

    coverage_window_days: int = Field(
        30, ge=1, description="Support older than this is re-broadcast (rule 4)"
    )
    lookup_deadline_s: float = Field(
        8.0, gt=0, description="Overall deadline of one lookup fan-out"
    )
    unknown_retries: int = Field(5, ge=0, description="Retry operations for an unknown purchase")
    unknown_deadline_s: float = Field(
        600.0, gt=0, description="Give up recovering an unknown purchase after this long"
    )
    unknown_backoff_s: float = Field(2.0, gt=0, description="First wait before a retry (doubles)")
    advice_backoff_s: float = Field(5.0, gt=0, description="First wait before resending an advice")
    advice_backoff_cap_s: float = Field(600.0, gt=0, description="Longest wait between resends")
    currencies: tuple[str, ...] = Field(
        ("ZAR",),
        min_length=1,
        description="Currencies purchases may be made in; any other is INVALID (rule 20)",
    )


class Utility(_Frozen):
    """A utility (receiver) as the switch names it, with the names providers use for it."""

    id: str
    name: str
    type: UtilityType = "ELECTRICITY"
    aliases: tuple[str, ...] = ()
    zero_rated_receipts: bool = Field(
        False, description="Receipts show 0% VAT on VAT-inclusive amounts (Eskom, rule 12)"
    )


class ProviderEntry(_Frozen):
    """A service provider integrated into the switch."""

    id: str = Field(description="Provider (institution) ID assigned by Electrum")
    name: str
    base_url: str
    username: str
    weight: int = Field(1, ge=0, description="Relative load-balancing weight; 0 disables (rule 17)")
    enabled: bool = True
    takes_confirmations: bool = True
    http: dict[str, Any] = Field(
        default_factory=dict, description="Adapter tuning: timeouts, limits, breaker"
    )


class UtilityRouting(_Frozen):
    """An institution's routing preferences for one utility (rule 7)."""

    ranked: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


class ConsoleUser(_Frozen):
    """A console sign-in of an institution; only the password's hash is stored."""

    username: str
    password_hash: str


class Institution(_Frozen):
    """An originator of events and its provider set."""

    id: str
    name: str
    enabled_providers: tuple[str, ...]
    routing: dict[str, UtilityRouting] = Field(default_factory=dict)
    console_users: tuple[ConsoleUser, ...] = ()


class MeterPreference(_Frozen):
    """A meter-level routing preference, which comes before any ranking (rule 7)."""

    meter_number: str
    provider_id: str


class SwitchConfig(_Frozen):
    """The whole file, cross-checked so every reference names something that exists."""

    rules: SwitchRules = SwitchRules()
    utilities: tuple[Utility, ...] = ()
    providers: tuple[ProviderEntry, ...]
    institutions: tuple[Institution, ...]
    meter_preferences: tuple[MeterPreference, ...] = ()

    @model_validator(mode="after")
    def _references_exist(self) -> SwitchConfig:
        providers = {p.id for p in self.providers}
        utilities = {u.id for u in self.utilities}
        problems: list[str] = []
        for inst in self.institutions:
            problems += [
                f"institution {inst.id}: unknown provider {p}"
                for p in inst.enabled_providers
                if p not in providers
            ]
            for utility, routing in inst.routing.items():
                if utility not in utilities:
                    problems.append(f"institution {inst.id}: routing for unknown utility {utility}")
                unknown = set(routing.ranked) | set(routing.excluded)
                problems += [
                    f"institution {inst.id}/{utility}: unknown provider {p}"
                    for p in sorted(unknown - providers)
                ]
        problems += [
            f"meter preference {m.meter_number}: unknown provider {m.provider_id}"
            for m in self.meter_preferences
            if m.provider_id not in providers
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def provider_password(
        self, provider_id: str, environ: Mapping[str, str] | None = None
    ) -> SecretStr:
        """The provider's password from `PPU_PROVIDER_<ID>_PASSWORD`, or an error naming it."""
        env = os.environ if environ is None else environ
        var = _provider_var(provider_id, "PASSWORD")
        if var not in env:
            raise ConfigError(
                f"provider {provider_id}: set its password in the environment variable {var}"
            )
        return SecretStr(env[var])

    def provider_base_url(self, provider_id: str, environ: Mapping[str, str] | None = None) -> str:
        """The provider's endpoint: `PPU_PROVIDER_<ID>_BASE_URL` when set, else the file's."""
        env = os.environ if environ is None else environ
        entry = next((p for p in self.providers if p.id == provider_id), None)
        if entry is None:
            raise ConfigError(f"provider {provider_id} is not configured")
        return env.get(_provider_var(provider_id, "BASE_URL"), entry.base_url)


def _provider_var(provider_id: str, what: str) -> str:
    return f"PPU_PROVIDER_{provider_id.upper().replace('-', '_')}_{what}"


def _find_secrets(node: object, path: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [f"{path}{k}" for k in node if k.lower() in _SECRET_KEYS]
        for key, value in node.items():
            found += _find_secrets(value, f"{path}{key}.")
        return found
    if isinstance(node, list):
        return [hit for i, item in enumerate(node) for hit in _find_secrets(item, f"{path}{i}.")]
    return []


def load_config(path: Path) -> SwitchConfig:
    """Read and validate the TOML file; every problem becomes one `ConfigError`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"configuration file {path} does not exist (set PPU_CONFIG_FILE)"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    if secrets := _find_secrets(raw):
        raise ConfigError(
            f"{path} holds secrets ({', '.join(secrets)}); they belong in the environment"
        )
    try:
        return SwitchConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path} is not a valid switch configuration:\n{exc}") from exc
