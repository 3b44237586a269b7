"""Liveness: stalled polls or a run of failed commits mark the consumer stuck."""

from __future__ import annotations

from service.engine.liveness import Liveness


def test_a_fresh_consumer_is_not_stuck_until_it_has_had_time_to_poll() -> None:
    """Start-up gets the full window before the first poll."""
    live = Liveness(stuck_after_s=30, started_at=100.0)
    assert not live.is_stuck(129.0)
    assert live.is_stuck(131.0)


def test_regular_polls_keep_it_alive() -> None:
    """A poll within the window is enough while commits are healthy."""
    live = Liveness(stuck_after_s=30, started_at=0.0)
    live.polled(50.0)
    assert not live.is_stuck(79.0)
    assert live.is_stuck(81.0)


def test_failing_commits_mark_it_stuck_even_while_it_polls() -> None:
    """After a broker restart polls return empty forever; the failing commits give it away."""
    live = Liveness(stuck_after_s=30, started_at=0.0)
    live.committed(10.0)
    live.commit_failed(20.0)
    live.polled(45.0)
    assert live.is_stuck(45.0)


def test_a_successful_commit_clears_the_failures() -> None:
    """One failure followed by a success is a blip, not a stuck consumer."""
    live = Liveness(stuck_after_s=30, started_at=0.0)
    live.commit_failed(20.0)
    live.committed(25.0)
    live.polled(50.0)
    assert not live.is_stuck(50.0)
    assert live.commit_errors == 0
