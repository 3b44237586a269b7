"""Routing edits are checked before anything is stored; the directory routes with stored values."""

from __future__ import annotations

import pytest

from service.config import SwitchConfig
from service.console.routing_edit import Edit, RoutingRefused, checked_utility
from service.handlers.directory import Directory
from service.ports.routing import StoredRouting, UtilityPreferences
from tests.support.configs import three_providers


def _config() -> SwitchConfig:
    return three_providers(enabled=("P1", "P2"), routing={"COJ": {"ranked": ["P2"]}})


def _edit(config: SwitchConfig) -> Edit:
    return Edit(institution=config.institutions[0], actor="INST/alice")


@pytest.mark.parametrize(
    ("utility", "ranked", "excluded", "why"),
    [
        ("NOPE", [], [], "no utility NOPE"),
        ("COJ", ["P3"], [], "not a provider your institution enabled: P3"),
        ("COJ", ["P1", "P1"], [], "ranked twice"),
        ("COJ", ["P1"], ["P1"], "ranked and excluded at once: P1"),
    ],
)
def test_invalid_edits_are_refused_with_the_reason(
    utility: str, ranked: list[str], excluded: list[str], why: str
) -> None:
    """Unknown utility, a provider the institution did not enable, duplicates, contradictions."""
    config = _config()
    with pytest.raises(RoutingRefused, match=why):
        checked_utility(Directory(config), _edit(config), utility, ranked, excluded)


def test_stored_preferences_replace_the_file_s() -> None:
    """Once stored values are loaded, the directory routes with them, meter preference first."""
    config = _config()
    directory = Directory(config)
    inst = config.institutions[0]
    assert directory.preferences(inst, utility_id="COJ", meter_number="1").ranked == ("P2",)
    directory.use_stored_routing(
        {
            "INST": StoredRouting(
                utilities={"COJ": UtilityPreferences(ranked=("P1",), excluded=frozenset({"P2"}))},
                meters={"1": "P1"},
            )
        }
    )
    prefs = directory.preferences(inst, utility_id="COJ", meter_number="1")
    assert (prefs.meter_preference, prefs.ranked, prefs.excluded) == ("P1", ("P1",), {"P2"})
