"""Routing preferences and exclusions live in the configuration file; every change to them is
kept in the audit log. At start the service compares the file's routing with the last one it
recorded and writes one entry naming what changed."""

from __future__ import annotations

from typing import Any

from service.config import SwitchConfig

ACTION = "ROUTING_CONFIG"


def routing_snapshot(config: SwitchConfig) -> dict[str, Any]:
    """Everything that steers routing: provider weights and switches, rankings, exclusions."""
    return {
        "providers": {p.id: {"weight": p.weight, "enabled": p.enabled} for p in config.providers},
        "institutions": {
            i.id: {
                "enabled_providers": list(i.enabled_providers),
                "routing": {
                    u: {"ranked": list(r.ranked), "excluded": list(r.excluded)}
                    for u, r in sorted(i.routing.items())
                },
            }
            for i in config.institutions
        },
        "meter_preferences": {m.meter_number: m.provider_id for m in config.meter_preferences},
    }


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Human-readable paths that differ, e.g. `institutions.RETAIL-01.routing.CPT`."""
    if before is None:
        return ["initial routing configuration"]
    return sorted(_diff(before, after, ""))


def _diff(before: Any, after: Any, path: str) -> set[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        found: set[str] = set()
        for key in before.keys() | after.keys():
            found |= _diff(before.get(key), after.get(key), f"{path}.{key}" if path else key)
        return found
    return set() if before == after else {path}
