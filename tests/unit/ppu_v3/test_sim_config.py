"""Simulator configuration: the example file stays valid; coverage, faults and latency rules."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from adapters.ppu_v3.settings import ProviderSettings
from adapters.ppu_v3.simulator.config import (
    Fault,
    Faults,
    Latency,
    MeterRange,
    SimProviderConfig,
    UtilityCoverage,
    load_config,
    parse_config,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "deploy/config/simulators.toml"


def test_example_config_describes_three_overlapping_providers() -> None:
    """deploy/config/simulators.toml loads: three providers, overlapping coverage, own ports."""
    config = load_config(EXAMPLE)
    assert len(config.providers) == 3
    assert len({p.port for p in config.providers}) == 3
    covering = [p for p in config.providers if any(u.covers("07130000001") for u in p.utilities)]
    assert len(covering) == 2
    names = {u.name for p in covering for u in p.utilities if u.covers("07130000001")}
    assert len(names) == 2


def test_single_provider_file_needs_no_providers_table() -> None:
    """A file with one provider's keys at the top level is one provider."""
    config = parse_config('provider_id = "1"\nname = "One"\n')
    assert [p.name for p in config.providers] == ["One"]


def test_unknown_keys_are_rejected() -> None:
    """A typo in the config fails at start, not silently."""
    with pytest.raises(ValidationError):
        parse_config('provider_id = "1"\nlatencyy = 3\n')


def test_credentials_come_together() -> None:
    """A user without a password is a configuration error."""
    with pytest.raises(ValidationError):
        SimProviderConfig(username="u")


def test_coverage_by_number_prefix_and_range() -> None:
    """Explicit numbers, prefixes and same-length numeric ranges."""
    utility = UtilityCoverage(
        utility_id="U",
        name="U",
        numbers=["A1"],
        prefixes=["0412"],
        ranges=[MeterRange(first="1000", last="1999")],
        blocked=["B9"],
    )
    assert utility.covers("A1")
    assert utility.covers("04125555")
    assert utility.covers("1500")
    assert utility.covers("B9")
    assert not utility.covers("15000")
    assert not utility.covers("2000")


def test_fault_shares_draw_in_proportion() -> None:
    """Shares of 0.2 and 0.3 give about that many faults over many draws."""
    faults = Faults(error_500=0.2, drop=0.3)
    rng = random.Random(7)
    drawn = [faults.draw(rng) for _ in range(5000)]
    assert 0.17 < drawn.count(Fault.ERROR_500) / 5000 < 0.23
    assert 0.27 < drawn.count(Fault.DROP) / 5000 < 0.33
    assert Fault.HANG not in drawn


def test_latency_kinds() -> None:
    """Fixed, uniform and normal latencies stay in their bounds."""
    rng = random.Random(1)
    assert Latency(fixed_ms=20).sample_seconds(rng) == 0.02
    assert all(0.02 <= Latency(min_ms=20, max_ms=80).sample_seconds(rng) <= 0.08 for _ in range(50))
    assert all(Latency(mean_ms=5, stddev_ms=50).sample_seconds(rng) >= 0 for _ in range(50))
    assert Latency().sample_seconds(rng) == 0.0


def test_provider_settings_never_double_the_base_path() -> None:
    """The base path is appended once, and the password never shows in a repr."""
    settings = ProviderSettings(
        provider_id="1",
        name="P",
        base_url="http://h:1/prepaidutility/v3/",
        username="u",
        password=SecretStr("hunter2"),
    )
    assert settings.api_root == "http://h:1/prepaidutility/v3"
    assert "hunter2" not in repr(settings)
