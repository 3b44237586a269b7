"""Contract v1.1: `ppu.support.updated` only when a status or awaiting confirmation changes."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ppu_v3.simulator.config import UtilityCoverage
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.support.events import lookup
from tests.support.switch import sim_provider

pytestmark = pytest.mark.integration

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])


async def test_a_routed_lookup_moves_last_response_but_publishes_nothing(
    switch: SwitchFactory,
) -> None:
    """The second lookup refreshes last_response_at in its outcome; no support.updated for it."""
    meter = "04127770001"
    async with switch(sim_provider("P1", CITY), sim_provider("P2", CITY)) as sw:
        first, second = lookup(meter), lookup(meter)
        await sw.publish(Topic.LOOKUP_REQUESTED, first)
        (one,) = await sw.wait_for(
            Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == first.lookup_id
        )
        await sw.wait_for(Topic.SUPPORT_UPDATED, count=2)
        await sw.publish(Topic.LOOKUP_REQUESTED, second)
        (two,) = await sw.wait_for(
            Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == second.lookup_id
        )
        assert two["broadcast"] is False
        routed = two["routed_provider_id"]
        times = {p["provider_id"]: p["last_response_at"] for p in one["providers"]}
        later = {p["provider_id"]: p["last_response_at"] for p in two["providers"]}
        assert later[routed] > times[routed]
        await asyncio.sleep(0.5)  # same transaction, other topic: give it time to arrive
        assert len(sw.seen(Topic.SUPPORT_UPDATED)) == 2
