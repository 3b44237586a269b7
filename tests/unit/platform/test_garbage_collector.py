"""Start-up settles the garbage collector: what start-up built is frozen, collections are rarer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from service import bootstrap


@pytest.fixture
def collector() -> Iterator[None]:
    """Leave the interpreter's collector as the test found it."""
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector")
def test_start_up_objects_are_frozen_and_young_collections_wait_longer() -> None:
    built_at_start_up = [object() for _ in range(1000)]
    before = gc.get_threshold()
    bootstrap._settle_garbage_collector()
    assert gc.get_freeze_count() >= len(built_at_start_up)
    assert gc.get_threshold() == (bootstrap._GC_FIRST_THRESHOLD, *before[1:])
    assert before[0] < bootstrap._GC_FIRST_THRESHOLD
