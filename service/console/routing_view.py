"""Routing preferences as the page shows them: per utility the institution's stored ranking
and exclusions and its meter count, and its meter-level preferences (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.config import SwitchConfig
from service.ports.routing import StoredRouting


@dataclass(frozen=True, kw_only=True)
class UtilityRouting:
    """One utility's line: ranked providers (rank 1 first), exclusions and its meter count."""

    utility_id: str | None
    utility_name: str
    ranked: tuple[tuple[str, str], ...]
    excluded: tuple[tuple[str, str], ...]
    meters: int

    def as_json(self) -> dict[str, Any]:
        """The API's representation."""
        return {
            "utility_id": self.utility_id,
            "utility": self.utility_name,
            "ranked": [{"provider_id": p, "provider": n} for p, n in self.ranked],
            "excluded": [{"provider_id": p, "provider": n} for p, n in self.excluded],
            "meters": self.meters,
        }


def routing_view(
    config: SwitchConfig, stored: StoredRouting, counts: Mapping[str | None, int]
) -> list[UtilityRouting]:
    """Every configured utility, then the Unassigned meters."""
    names = {p.id: p.name for p in config.providers}
    rows = []
    for utility in config.utilities:
        prefs = stored.utilities.get(utility.id)
        rows.append(
            UtilityRouting(
                utility_id=utility.id,
                utility_name=utility.name,
                ranked=tuple((p, names.get(p, p)) for p in (prefs.ranked if prefs else ())),
                excluded=tuple(
                    (p, names.get(p, p)) for p in sorted(prefs.excluded if prefs else ())
                ),
                meters=counts.get(utility.id, 0),
            )
        )
    rows.append(
        UtilityRouting(
            utility_id=None,
            utility_name="Unassigned",
            ranked=(),
            excluded=(),
            meters=counts.get(None, 0),
        )
    )
    return rows
