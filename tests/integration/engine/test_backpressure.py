"""Back-pressure: the runner stops fetching at max_in_flight and resumes once work drains."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from service.engine.records import Event
from tests.integration.engine.kit import TEST_SETTINGS, Ping, eventually, ping, serving, setup_lane

pytestmark = pytest.mark.integration


async def test_fetching_pauses_at_the_in_flight_bound_and_resumes_when_drained(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """200 keys, every handler blocked: only 20 are taken; once released, all 200 finish."""
    messages = [(f"m{i}", ping(uuid.uuid4(), f"m{i}", 0)) for i in range(200)]
    await setup_lane(kafka_bootstrap, topic_prefix, messages, partitions=2)
    settings = TEST_SETTINGS.model_copy(update={"max_in_flight": 20, "batch_size": 5})
    release = asyncio.Event()
    started: list[uuid.UUID] = []
    finished: list[uuid.UUID] = []

    async def handle(event: Event[Ping]) -> None:
        started.append(event.payload.event_id)
        await release.wait()
        finished.append(event.payload.event_id)

    async with serving(kafka_bootstrap, topic_prefix, handle, settings=settings) as runner:
        await eventually(lambda: len(started) == 20)
        # Many fetch rounds pass while paused; none may take more work.
        await asyncio.sleep(settings.fetch_timeout_ms / 1000 * 10)
        assert len(started) == 20
        assert runner.in_flight == 20
        release.set()
        await eventually(lambda: len(finished) == 200)
    assert len(set(finished)) == 200  # each once: resuming lost and repeated nothing
