"""Per-provider figures: running totals (Prometheus counters) and a sliding window (snapshots)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from service.domain.provider_results import (
    CircuitState,
    Failed,
    Succeeded,
    Unknown,
    UnknownKind,
    is_decline,
)
from service.observability.window import AnswerClass, Sample, SlidingWindow, WindowFigures


def answer_class(outcome: object) -> tuple[AnswerClass, bool]:
    """The class of a provider outcome, and whether it was our timeout."""
    if isinstance(outcome, Succeeded):
        return AnswerClass.SUCCESS, False
    if isinstance(outcome, Unknown):
        return AnswerClass.UNKNOWN, outcome.kind is UnknownKind.TIMEOUT
    if isinstance(outcome, Failed):
        return AnswerClass.FAILED, False
    return AnswerClass.UNKNOWN, False


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderReading:
    """One provider's figures now: totals since start, the window, and its circuit."""

    provider_id: str
    circuit: CircuitState
    totals: dict[str, int]
    latency_total_ms: float
    window: WindowFigures
    window_s: float
    not_offered: tuple[str, ...] = ()


class ProviderRecorder:
    """Figures of the calls to one provider."""

    def __init__(
        self,
        *,
        provider_id: str,
        window_s: float,
        circuit: Callable[[], CircuitState],
        clock: Callable[[], float] = time.monotonic,
        not_offered: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        self.provider_id = provider_id
        self._circuit = circuit
        self._not_offered = not_offered
        self._clock = clock
        self._window = SlidingWindow(window_s)
        self._totals: Counter[str] = Counter()
        self._latency_total_ms = 0.0

    def record(self, outcome: object, *, operation: str, latency_s: float) -> None:
        """Count one finished call."""
        answer, timed_out = answer_class(outcome)
        declined = isinstance(outcome, Failed) and is_decline(outcome.kind)
        latency_ms = latency_s * 1000
        self._window.add(
            Sample(
                at=self._clock(),
                answer=answer,
                latency_ms=latency_ms,
                timed_out=timed_out,
                declined=declined,
            )
        )
        self._totals["requests"] += 1
        self._totals[answer.value] += 1
        self._totals[f"op:{operation}"] += 1
        if timed_out:
            self._totals["timeouts"] += 1
        self._latency_total_ms += latency_ms

    def reading(self) -> ProviderReading:
        """The provider's figures now."""
        return ProviderReading(
            provider_id=self.provider_id,
            circuit=self._circuit(),
            totals=dict(self._totals),
            latency_total_ms=self._latency_total_ms,
            window=self._window.figures(self._clock()),
            window_s=self._window.window_s,
            not_offered=tuple(sorted(self._not_offered())),
        )
