"""Dispatching: concurrency across keys, order within a key, commit points, closing partitions."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from service.engine.dispatch import Dispatcher
from service.engine.records import Record
from tests.unit.engine.fakes import record

P0 = ("t", 0)


async def _until(predicate: Callable[[], bool], within_s: float = 5.0) -> None:
    """Poll until `predicate` holds; fail after `within_s` (generous: no timing is asserted)."""
    for _ in range(int(within_s / 0.001)):
        if predicate():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition not reached in time")


async def test_each_keys_records_run_in_order_while_keys_overlap() -> None:
    """With random latencies, per-key order holds and several keys run at the same time."""
    rng = random.Random(3)
    seen: dict[bytes | None, list[int]] = {}
    running = 0
    peak = 0

    async def work(rec: Record) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(rng.uniform(0, 0.005))
        seen.setdefault(rec.key, []).append(rec.offset)
        running -= 1

    dispatcher = Dispatcher(work, max_running=100)
    records = [record(i, key=f"k{rng.randrange(8)}".encode()) for i in range(300)]
    dispatcher.accept(P0, records)
    await _until(lambda: dispatcher.committable() == {P0: 300})
    for offsets in seen.values():
        assert offsets == sorted(offsets)
    assert sum(len(v) for v in seen.values()) == 300
    assert peak > 1


async def test_a_blocked_early_record_holds_the_commit_point() -> None:
    """Later records finish, but the commit point stays at the blocked one until it is done."""
    release = asyncio.Event()
    done: list[int] = []

    async def work(rec: Record) -> None:
        if rec.offset == 0:
            await release.wait()
        done.append(rec.offset)

    dispatcher = Dispatcher(work, max_running=100)
    dispatcher.accept(P0, [record(i, key=f"k{i}".encode()) for i in range(5)])
    await _until(lambda: len(done) == 4)
    assert dispatcher.committable() == {}
    assert dispatcher.in_flight == 1
    release.set()
    await _until(lambda: dispatcher.committable() == {P0: 5})


async def test_a_hanging_key_does_not_delay_other_keys() -> None:
    """Records of other keys, even later ones on the same partition, complete meanwhile."""
    done: list[bytes | None] = []

    async def work(rec: Record) -> None:
        if rec.key == b"slow":
            await asyncio.sleep(30)
        done.append(rec.key)

    dispatcher = Dispatcher(work, max_running=100)
    dispatcher.accept(
        P0,
        [record(0, key=b"slow"), record(1, key=b"slow"), record(2, key=b"a"), record(3, key=b"b")],
    )
    await _until(lambda: len(done) == 2)
    assert done == [b"a", b"b"]
    await dispatcher.close([P0], deadline_s=0.01)


async def test_closing_waits_for_running_work_then_cancels_the_late() -> None:
    """A revocation lets quick work finish, cancels what overruns, and never starts waiting work."""
    started: list[int] = []

    async def work(rec: Record) -> None:
        started.append(rec.offset)
        await asyncio.sleep(0.01 if rec.key == b"quick" else 30)

    dispatcher = Dispatcher(work, max_running=100)
    dispatcher.accept(
        P0, [record(0, key=b"quick"), record(1, key=b"hang"), record(2, key=b"quick")]
    )
    await _until(lambda: len(started) == 2)
    await dispatcher.close([P0], deadline_s=0.2)
    assert sorted(started) == [0, 1]
    assert dispatcher.committable() == {P0: 1}  # offset 1 was cancelled, 2 never started
    assert dispatcher.accept(P0, [record(3)]) == 0
    dispatcher.forget([P0])
    assert dispatcher.partitions == set()
    assert dispatcher.in_flight == 0


async def test_a_key_shared_by_two_partitions_moves_on_when_one_is_closed() -> None:
    """A waiting record of an open partition starts once the closed partition's record ends."""
    done: list[tuple[int, int]] = []

    async def work(rec: Record) -> None:
        await asyncio.sleep(0.01)
        done.append((rec.partition, rec.offset))

    dispatcher = Dispatcher(work, max_running=100)
    dispatcher.accept(("t", 0), [record(0, partition=0), record(1, partition=0)])
    dispatcher.accept(("t", 1), [record(0, partition=1)])
    await dispatcher.close([("t", 0)], deadline_s=1)
    await _until(lambda: (1, 0) in done)
    assert (0, 1) not in done
    assert dispatcher.committable([("t", 1)]) == {("t", 1): 1}


async def test_a_failing_work_function_is_reported_not_committed() -> None:
    """Work must not raise; if it does, the record stays unfinished and the failure is kept."""

    async def work(rec: Record) -> None:
        raise RuntimeError("bug")

    dispatcher = Dispatcher(work, max_running=100)
    dispatcher.accept(P0, [record(0)])
    await _until(lambda: dispatcher.failure is not None)
    assert dispatcher.committable() == {}


async def test_no_more_than_max_running_records_work_at_once() -> None:
    """Records of many keys beyond the bound wait for a slot; every one still runs."""
    running = 0
    peak = 0
    done: list[int] = []

    async def work(record: Record) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        done.append(record.offset)

    dispatcher = Dispatcher(work, max_running=3)
    dispatcher.accept(("t", 0), [record(i, key=f"k{i}".encode()) for i in range(12)])
    async with asyncio.timeout(5):
        while len(done) < 12:  # noqa: ASYNC110 - the records run as their own tasks
            await asyncio.sleep(0.01)
    assert peak == 3
    assert dispatcher.committable() == {("t", 0): 12}
