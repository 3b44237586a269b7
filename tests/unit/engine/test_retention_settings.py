"""Retention settings: sane defaults, prefixed variables, and marks that outlast the topics."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.engine.retention_settings import RetentionSettings
from service.settings import Settings


def test_the_defaults_keep_marks_twice_as_long_as_the_topics_keep_records() -> None:
    """14 days of processed marks against Kafka's default 7 days of input records."""
    settings = RetentionSettings()
    assert settings.processed_events_days == 14
    assert settings.input_retention_days == 7
    assert settings.enabled


def test_marks_that_would_expire_before_the_topics_records_are_rejected() -> None:
    """A mark deleted while its record can still be redelivered would let it apply twice."""
    with pytest.raises(ValidationError, match="processed_events_days"):
        RetentionSettings(processed_events_days=7, input_retention_days=7)
    assert RetentionSettings(processed_events_days=3, input_retention_days=2).batch_size == 1000


@pytest.mark.parametrize(
    "field", ["outbox_days", "attempts_days", "advices_days", "interval_s", "statement_timeout_s"]
)
def test_windows_and_intervals_must_be_positive(field: str) -> None:
    """A zero window would delete rows as soon as they are written."""
    with pytest.raises(ValidationError, match=field):
        RetentionSettings(**{field: 0})


def test_a_batch_is_bounded() -> None:
    """Batches of zero rows or of more than 100,000 are refused."""
    for size in (0, 100_001):
        with pytest.raises(ValidationError, match="batch_size"):
            RetentionSettings(batch_size=size)


def test_settings_come_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """PPU_RETENTION_* configures the job, on its own and composed into the service's Settings."""
    monkeypatch.setenv("PPU_RETENTION_BATCH_SIZE", "250")
    monkeypatch.setenv("PPU_RETENTION_OUTBOX_DAYS", "2.5")
    monkeypatch.setenv("PPU_RETENTION_ENABLED", "false")
    assert RetentionSettings().batch_size == 250
    composed = Settings().retention
    assert (composed.batch_size, composed.outbox_days, composed.enabled) == (250, 2.5, False)
