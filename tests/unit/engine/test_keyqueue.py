"""Key ordering: one item in flight per key, the rest in arrival order."""

from __future__ import annotations

import random

from service.engine.keyqueue import KeyQueue


def test_items_of_different_keys_start_at_once() -> None:
    """Nothing of key b waits for key a."""
    queue: KeyQueue[str, int] = KeyQueue()
    assert queue.submit("a", 1)
    assert queue.submit("b", 2)
    assert queue.running == 2


def test_items_of_one_key_wait_and_start_in_arrival_order() -> None:
    """A key's second and third items start one after the other, in order."""
    queue: KeyQueue[str, int] = KeyQueue()
    assert queue.submit("a", 1)
    assert not queue.submit("a", 2)
    assert not queue.submit("a", 3)
    assert queue.waiting == 2
    assert queue.finish("a") == 2
    assert queue.finish("a") == 3
    assert queue.finish("a") is None
    assert queue.running == 0
    assert queue.submit("a", 4)


def test_dropping_waiting_items_keeps_the_others_in_order() -> None:
    """Revoking a partition drops its waiting items; other partitions' items keep their order."""
    queue: KeyQueue[str, tuple[str, int]] = KeyQueue()
    queue.submit("k", ("p0", 1))
    for item in (("p1", 2), ("p0", 3), ("p1", 4)):
        queue.submit("k", item)
    dropped = queue.drop_waiting(lambda item: item[0] == "p1")
    assert dropped == [("p1", 2), ("p1", 4)]
    assert queue.finish("k") == ("p0", 3)
    assert queue.finish("k") is None


def test_dropping_every_waiting_item_leaves_the_running_one() -> None:
    """The running item is not dropped: it finishes normally and releases its key."""
    queue: KeyQueue[str, int] = KeyQueue()
    queue.submit("k", 1)
    queue.submit("k", 2)
    assert queue.drop_waiting(lambda _: True) == [2]
    assert queue.running == 1
    assert queue.finish("k") is None
    assert queue.running == 0


def test_random_schedules_never_run_two_items_of_a_key() -> None:
    """Under random submissions and completions each key runs one item at a time, in order."""
    rng = random.Random(11)
    queue: KeyQueue[int, tuple[int, int]] = KeyQueue()
    running: dict[int, tuple[int, int]] = {}
    started: dict[int, list[int]] = {}
    seq = 0
    for _ in range(5000):
        if running and rng.random() < 0.5:
            key = rng.choice(list(running))
            running.pop(key)
            following = queue.finish(key)
            if following is not None:
                running[key] = following
                started.setdefault(key, []).append(following[1])
        else:
            key, seq = rng.randrange(20), seq + 1
            if queue.submit(key, (key, seq)):
                assert key not in running
                running[key] = (key, seq)
                started.setdefault(key, []).append(seq)
    for order in started.values():
        assert order == sorted(order)
