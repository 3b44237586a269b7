"""Exponential backoff without jitter: the schedule is a pure function of the attempt number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """Delay before attempt n+1 is first * factor**(n-1), capped."""

    first: timedelta
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        """Refuse schedules that would never wait or would shrink."""
        if self.first <= timedelta(0) or self.factor < 1 or self.cap < self.first:
            raise ValueError("backoff needs first > 0, factor >= 1 and cap >= first")

    def delay(self, attempts_made: int) -> timedelta:
        """How long to wait after `attempts_made` attempts (1 or more) before the next one."""
        if attempts_made < 1:
            raise ValueError("attempts_made counts from 1")
        seconds = self.first.total_seconds() * self.factor ** (attempts_made - 1)
        return min(timedelta(seconds=seconds), self.cap)
