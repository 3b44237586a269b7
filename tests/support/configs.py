"""Small switch configurations for unit tests: one utility, three providers, one institution."""

from __future__ import annotations

from typing import Any

from service.config import SwitchConfig

PROVIDERS = ("P1", "P2", "P3")


def three_providers(*, enabled: tuple[str, ...] = PROVIDERS, **institution: Any) -> SwitchConfig:
    """City of Johannesburg, providers P1-P3, and institution INST enabling `enabled`
    (with any other institution fields given, e.g. `routing`)."""
    return SwitchConfig.model_validate(
        {
            "utilities": [{"id": "COJ", "name": "City of Johannesburg", "type": "ELECTRICITY"}],
            "providers": [
                {"id": p, "name": f"Sim {p}", "base_url": "http://127.0.0.1:1", "username": "u"}
                for p in PROVIDERS
            ],
            "institutions": [
                {"id": "INST", "name": "Inst", "enabled_providers": list(enabled), **institution}
            ],
        }
    )
