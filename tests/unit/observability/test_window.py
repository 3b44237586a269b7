"""The sliding window: counts by class, percentiles, and forgetting old samples."""

from __future__ import annotations

from service.observability.window import AnswerClass, Sample, SlidingWindow, percentile


def test_nearest_rank_percentiles() -> None:
    """p50 and p99 of 1..100 are 50 and 99; nothing gives None."""
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7
    assert percentile([], 50) is None


def test_the_window_counts_by_class_and_forgets_what_is_older() -> None:
    """Samples older than the window drop out of every figure."""
    window = SlidingWindow(window_s=60)
    window.add(Sample(at=0, answer=AnswerClass.SUCCESS, latency_ms=10, timed_out=False))
    window.add(Sample(at=30, answer=AnswerClass.FAILED, latency_ms=20, timed_out=False))
    window.add(Sample(at=50, answer=AnswerClass.UNKNOWN, latency_ms=1000, timed_out=True))
    now = window.figures(55)
    assert (now.requests, now.successes, now.failures, now.unknowns, now.timeouts) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert now.latency_max_ms == 1000
    later = window.figures(75)
    assert later.requests == 2
    assert later.successes == 0
    assert window.figures(500).latency_p50_ms is None
