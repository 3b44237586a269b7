"""What the lean peer may commit: per partition, below the first record not yet produced."""

from __future__ import annotations

from tests.bench.offsets import Offsets


def test_commit_stops_at_the_first_record_not_done() -> None:
    """Records finishing out of order never let the commit pass one still running."""
    offsets = Offsets()
    for n in range(5):
        offsets.taken("p0", n)
    offsets.done("p0", 1)
    offsets.done("p0", 3)
    assert offsets.committable() == {"p0": 0}
    offsets.done("p0", 0)
    assert offsets.committable() == {"p0": 2}


def test_a_partition_with_every_record_done_commits_past_its_last() -> None:
    """All done: the next offset to fetch; partitions are independent."""
    offsets = Offsets()
    offsets.taken("p0", 10)
    offsets.taken("p0", 11)
    offsets.taken("p1", 4)
    offsets.done("p0", 11)
    offsets.done("p0", 10)
    assert offsets.committable() == {"p0": 12, "p1": 4}
    offsets.done("p1", 4)
    offsets.done("p1", 4)  # twice is harmless
    assert offsets.committable() == {"p0": 12, "p1": 5}


def test_nothing_fetched_means_nothing_to_commit() -> None:
    """No partition seen, no offsets."""
    assert Offsets().committable() == {}
