"""Retry delays grow exponentially, stay under the cap and are jittered."""

from __future__ import annotations

import random

import pytest

from service.engine.backoff import backoff_delay


def test_delays_stay_within_the_exponential_ceiling() -> None:
    """Attempt n waits at most base·2^(n-1) seconds."""
    rng = random.Random(1)
    for attempt in range(1, 6):
        ceiling = 0.1 * 2 ** (attempt - 1)
        delays = [backoff_delay(attempt, base_s=0.1, cap_s=100, rng=rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # jitter spreads over the whole range


def test_the_cap_bounds_late_attempts() -> None:
    """However many attempts failed, no delay exceeds the cap."""
    rng = random.Random(2)
    assert all(backoff_delay(40, base_s=0.1, cap_s=2.0, rng=rng) <= 2.0 for _ in range(200))


def test_attempts_count_from_one() -> None:
    """Attempt 0 is a caller bug."""
    with pytest.raises(ValueError, match="1-based"):
        backoff_delay(0, base_s=0.1, cap_s=1.0)
