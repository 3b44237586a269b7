"""Offset tracking: the commit point never passes an unfinished offset."""

from __future__ import annotations

import random

from service.engine.offsets import OffsetTracker


def test_nothing_is_committable_before_the_first_offset_finishes() -> None:
    """Offsets handed out but not done give no commit point."""
    tracker = OffsetTracker()
    for offset in (5, 6, 7):
        tracker.add(offset)
    assert tracker.committable is None
    assert tracker.unfinished == 3


def test_a_later_offset_finishing_first_does_not_move_the_commit_point() -> None:
    """Offset 6 done while 5 runs: nothing may be committed yet."""
    tracker = OffsetTracker()
    for offset in (5, 6, 7):
        tracker.add(offset)
    tracker.finish(6)
    assert tracker.committable is None
    assert tracker.lowest_unfinished == 5


def test_the_commit_point_jumps_over_the_done_prefix() -> None:
    """When the blocking offset finishes, the commit point moves past every done one after it."""
    tracker = OffsetTracker()
    for offset in (5, 6, 7, 8):
        tracker.add(offset)
    tracker.finish(7)
    tracker.finish(6)
    tracker.finish(5)
    assert tracker.committable == 8
    assert tracker.unfinished == 1


def test_gaps_in_offsets_are_allowed() -> None:
    """Compacted topics and transaction markers leave holes; the commit point is last done + 1."""
    tracker = OffsetTracker()
    for offset in (10, 13, 20):
        tracker.add(offset)
    tracker.finish(10)
    tracker.finish(13)
    assert tracker.committable == 14
    tracker.finish(20)
    assert tracker.committable == 21
    assert tracker.lowest_unfinished is None


def test_a_repeated_or_older_offset_is_ignored() -> None:
    """A re-fetch of an offset already handed out is not tracked twice."""
    tracker = OffsetTracker()
    assert tracker.add(3)
    assert not tracker.add(3)
    assert not tracker.add(2)
    assert tracker.unfinished == 1


def test_finishing_an_unknown_or_finished_offset_changes_nothing() -> None:
    """Stray or repeated finish calls cannot move the commit point."""
    tracker = OffsetTracker()
    tracker.add(1)
    tracker.add(2)
    tracker.finish(1)
    tracker.finish(1)
    tracker.finish(0)
    assert tracker.committable == 2
    assert tracker.unfinished == 1


def test_random_completion_orders_match_a_simple_model() -> None:
    """For many random orders, the commit point is always the lowest unfinished offset."""
    rng = random.Random(7)
    for _ in range(200):
        offsets = sorted(rng.sample(range(1000), 30))
        tracker = OffsetTracker()
        for offset in offsets:
            tracker.add(offset)
        done: set[int] = set()
        for offset in rng.sample(offsets, len(offsets)):
            tracker.finish(offset)
            done.add(offset)
            unfinished = [o for o in offsets if o not in done]
            prefix_done = [o for o in offsets if o < (unfinished[0] if unfinished else 10**6)]
            expected = prefix_done[-1] + 1 if prefix_done else None
            assert tracker.committable == expected
            assert tracker.unfinished == len(unfinished)
