"""Routing preferences as stored (edited in the console, seeded from the TOML file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class UtilityPreferences:
    """One utility's ranking (rank 1 first) and contractual exclusions."""

    ranked: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class StoredRouting:
    """One institution's routing preferences: per utility, and per meter."""

    utilities: Mapping[str, UtilityPreferences] = field(default_factory=dict)
    meters: Mapping[str, str] = field(default_factory=dict)
