"""Deterministic weighted ordering (rule 17): the same key always gives the same order.

Weighted sampling without replacement (Efraimidis-Spirakis): each provider draws
u in (0, 1) from a hash of (key, provider) and scores -ln(u) / weight; lower scores go first.
The first place then falls to each provider with probability weight / total weight over keys,
and keying by purchase id routes a redelivered purchase the same way again.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping

_SPAN = 2**64


def _uniform(key: str, provider_id: str) -> float:
    digest = hashlib.sha256(f"{key}\x1f{provider_id}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 1) / (_SPAN + 1)


def weighted_order(weights: Mapping[str, int], *, key: str) -> tuple[str, ...]:
    """Providers with a positive weight, in a weighted random order fixed by `key`."""
    scored = [
        (-math.log(_uniform(key, provider_id)) / weight, provider_id)
        for provider_id, weight in weights.items()
        if weight > 0
    ]
    return tuple(provider_id for _, provider_id in sorted(scored))
