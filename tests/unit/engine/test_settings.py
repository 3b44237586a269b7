"""Engine settings: deadlines that cannot work together are rejected."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.engine.settings import EngineSettings, RelaySettings


def test_the_defaults_are_consistent() -> None:
    """The shipped defaults pass their own checks, with events well under max.poll.interval.ms."""
    settings = EngineSettings()
    assert settings.event_deadline_s * 1000 < settings.max_poll_interval_ms / 2
    assert RelaySettings().batch_size >= 1


def test_a_drain_longer_than_half_the_poll_interval_is_rejected() -> None:
    """Revocations must drain well within the rebalance timeout."""
    with pytest.raises(ValidationError, match="drain_deadline_s"):
        EngineSettings(drain_deadline_s=20, max_poll_interval_ms=30_000)


def test_an_event_deadline_longer_than_the_drain_is_rejected() -> None:
    """An event that may run longer than the drain would be cut short by every revocation."""
    with pytest.raises(ValidationError, match="event_deadline_s"):
        EngineSettings(event_deadline_s=20, drain_deadline_s=10)


def test_settings_come_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """PPU_ENGINE_* configures the engine when loaded on its own."""
    monkeypatch.setenv("PPU_ENGINE_MAX_IN_FLIGHT", "17")
    assert EngineSettings().max_in_flight == 17
