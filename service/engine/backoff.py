"""Retry delays: exponential backoff with full jitter, capped."""

from __future__ import annotations

import random


def backoff_delay(
    attempt: int, *, base_s: float, cap_s: float, rng: random.Random | None = None
) -> float:
    """Delay after failed attempt number `attempt` (from 1): uniform in [0, min(cap, base·2^(n-1))].

    Full jitter spreads the retries of many keys that failed together (a provider outage),
    so they do not hit the dependency again in one burst.
    """
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    ceiling = min(cap_s, base_s * 2 ** (attempt - 1))
    # Jitter is not security-sensitive, so the default generator is fine.
    return (rng or random).uniform(0.0, ceiling)
