"""Per-input-topic counts over the window, from the runner's running totals (pure)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.engine.process import Outcome

Totals = Mapping[tuple[str, Outcome], int]


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicCounts:
    """One topic's finished records (handled + dead-lettered) and dead letters."""

    topic: str
    processed: int
    dead_letters: int


def counts(totals: Totals, topic: str) -> TopicCounts:
    """A topic's counts out of the runner's totals."""
    handled = totals.get((topic, Outcome.HANDLED), 0)
    dead = totals.get((topic, Outcome.DEAD_LETTERED), 0)
    return TopicCounts(topic=topic, processed=handled + dead, dead_letters=dead)


class TopicWindow:
    """Remembers the runner's totals at each reading, to tell what happened within the window."""

    def __init__(self, *, topics: Sequence[str], window_s: float) -> None:
        self.topics = tuple(topics)
        self._window_s = window_s
        self._readings: deque[tuple[float, dict[tuple[str, Outcome], int]]] = deque()

    def read(self, now: float, totals: Totals) -> list[TopicCounts]:
        """Counts per topic since the oldest reading still inside the window (or since start)."""
        self._readings.append((now, dict(totals)))
        # Keep one reading at or before the window's start as the baseline.
        while len(self._readings) > 1 and self._readings[1][0] <= now - self._window_s:
            self._readings.popleft()
        base = self._readings[0][1] if self._readings[0][0] <= now - self._window_s else {}
        result = []
        for topic in self.topics:
            now_counts, then = counts(totals, topic), counts(base, topic)
            result.append(
                TopicCounts(
                    topic=topic,
                    processed=now_counts.processed - then.processed,
                    dead_letters=now_counts.dead_letters - then.dead_letters,
                )
            )
        return result
