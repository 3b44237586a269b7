"""A sliding window of call samples and the figures it yields (pure, no I/O)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class AnswerClass(StrEnum):
    """How a provider call ended (interface 1.3): answered, definitely failed, or unknown."""

    SUCCESS = "success"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Sample:
    """One finished call: when (monotonic seconds), how it ended and how long it took."""

    at: float
    answer: AnswerClass
    latency_ms: float
    timed_out: bool
    declined: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowFigures:
    """Counts and latency percentiles of the calls in the window."""

    requests: int
    successes: int
    failures: int
    unknowns: int
    declines: int
    timeouts: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_p99_ms: float | None
    latency_max_ms: float | None


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile `q` (0-100) of ascending values; None when there are none."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


class SlidingWindow:
    """Samples of the last `window_s` seconds; older ones are dropped as new ones arrive."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._samples: deque[Sample] = deque()

    def add(self, sample: Sample) -> None:
        """Keep one sample."""
        self._samples.append(sample)
        self._prune(sample.at)

    def figures(self, now: float) -> WindowFigures:
        """What the window holds at `now`."""
        self._prune(now)
        samples = list(self._samples)
        latencies = sorted(s.latency_ms for s in samples)
        return WindowFigures(
            requests=len(samples),
            successes=sum(s.answer is AnswerClass.SUCCESS for s in samples),
            failures=sum(s.answer is AnswerClass.FAILED for s in samples),
            unknowns=sum(s.answer is AnswerClass.UNKNOWN for s in samples),
            declines=sum(s.declined for s in samples),
            timeouts=sum(s.timed_out for s in samples),
            latency_p50_ms=percentile(latencies, 50),
            latency_p95_ms=percentile(latencies, 95),
            latency_p99_ms=percentile(latencies, 99),
            latency_max_ms=latencies[-1] if latencies else None,
        )

    def _prune(self, now: float) -> None:
        horizon = now - self.window_s
        while self._samples and self._samples[0].at < horizon:
            self._samples.popleft()
