"""Filters on the standard library's log handler: expected start-up errors, repeated errors.

aiokafka logs at ERROR what is routine for a client: while a consumer group's coordinator is
being elected (every start, and after a broker restart) it prints "Group Coordinator Request
failed: CoordinatorNotAvailableError" a few times, while the partitions of topics just created
still elect their leaders "Failed fetch offsets ...: NotLeaderForPartitionError", and during a
broker outage it prints one
"Unable connect to ..." line per attempt, thousands in 20 seconds. The switch's own signals
(health, metrics) report outages; these filters keep the libraries' lines readable.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

# Transient states the client retries by itself: coordinator election (Kafka error codes 14,
# 15, 16) and partition leader election (3, 5, 6) on topics just created or after a restart.
_COORDINATOR_SETTLING = re.compile(
    r"CoordinatorNotAvailable|NotCoordinator|CoordinatorLoadInProgress"
    r"|NotLeaderForPartition|LeaderNotAvailable|UnknownTopicOrPartition"
)


class ExpectedStartupErrors(logging.Filter):
    """Log a coordinator or leader election error as INFO in the first minute, WARNING after."""

    def __init__(
        self,
        *,
        min_level: int = logging.INFO,
        startup_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Count the start-up window from now; records below `min_level` are dropped."""
        super().__init__()
        self._min_level = min_level
        self._clock = clock
        self._until = clock() + startup_s

    def filter(self, record: logging.LogRecord) -> bool:
        """Downgrade a coordinator-settling error; keep every other record as it is."""
        if record.levelno < logging.ERROR or not record.name.startswith("aiokafka"):
            return True
        if not _COORDINATOR_SETTLING.search(record.getMessage()):
            return True
        level = logging.INFO if self._clock() < self._until else logging.WARNING
        record.levelno, record.levelname = level, logging.getLevelName(level)
        record.expected = True
        return level >= self._min_level


_MAX_TEMPLATES = 1024


@dataclass
class _Run:
    """One repeated line's current window: when it began, lines let through, lines held back."""

    started: float
    passed: int = 0
    suppressed: int = 0


class RateLimit(logging.Filter):
    """At most `burst` lines per message template and logger every `interval_s` seconds."""

    def __init__(
        self,
        *,
        burst: int = 5,
        interval_s: float = 10.0,
        min_level: int = logging.WARNING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Limit records at `min_level` or above; lower ones always pass."""
        super().__init__()
        self._burst = burst
        self._interval_s = interval_s
        self._min_level = min_level
        self._clock = clock
        self._runs: dict[tuple[str, int, str], _Run] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Let the record through unless its template already filled this window's burst."""
        if record.levelno < self._min_level:
            return True
        now = self._clock()
        key = (record.name, record.levelno, str(record.msg))
        run = self._runs.get(key)
        if run is None and len(self._runs) >= _MAX_TEMPLATES:
            self._runs.clear()  # pre-formatted messages must not grow this without bound
        if run is None or now - run.started >= self._interval_s:
            held = run.suppressed if run else 0
            run = self._runs[key] = _Run(started=now)
            if held:
                record.suppressed = held
        if run.passed >= self._burst:
            run.suppressed += 1
            return False
        run.passed += 1
        return True
