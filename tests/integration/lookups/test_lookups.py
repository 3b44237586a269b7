"""Meter lookups end to end: real Kafka, PostgreSQL and simulated providers (issue 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.ppu_v3.simulator.config import Fault, UtilityCoverage
from schemas.v1.inputs import LookupRequested
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.support.events import lookup, mark
from tests.support.switch import sim_provider

pytestmark = pytest.mark.integration

CITY_A = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])
CITY_B = UtilityCoverage(utility_id="JHB", name="JHB", prefixes=["0412"])
TSHWANE = UtilityCoverage(utility_id="TSH", name="Tshwane Metro", prefixes=["0713"])
NOWHERE = UtilityCoverage(utility_id="X", name="Unmapped Town", prefixes=["0999"])


class Clock:
    """The switch's clock, moved by the test (coverage windows are days long)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def statuses(completed: dict[str, Any]) -> dict[str, str]:
    """Provider id to status in a lookup.completed event."""
    return {p["provider_id"]: p["status"] for p in completed["providers"]}


async def _completed(sw: Any, request: LookupRequested) -> dict[str, Any]:
    await sw.publish(Topic.LOOKUP_REQUESTED, request)
    (done,) = await sw.wait_for(
        Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id
    )
    return done


async def test_a_new_meter_is_broadcast_and_every_answer_recorded(switch: SwitchFactory) -> None:
    """Rule 4: an unknown meter asks every enabled provider; each answer becomes its status."""
    providers = [
        sim_provider("P1", CITY_A),
        sim_provider("P2", CITY_B),
        sim_provider("P3", TSHWANE),
    ]
    async with switch(*providers) as sw:
        done = await _completed(sw, lookup("0412-3456 789"))
        assert done["outcome"] == "FOUND"
        assert done["broadcast"] is True
        assert done["meter_number"] == "04123456789"
        assert statuses(done) == {"P1": "SUPPORTED", "P2": "SUPPORTED", "P3": "NOT_SUPPORTED"}
        assert all(p["last_response_at"] for p in done["providers"])
        assert done["utility"] == {"id": "COJ", "name": "City of Johannesburg"}
        assert done["routed_provider_id"] in {"P1", "P2"}
        updates = await sw.wait_for(
            Topic.SUPPORT_UPDATED, lambda e: e["meter_number"] == "04123456789", count=3
        )
        assert {(u["provider_id"], u["status"], u["cause"]) for u in updates} == {
            ("P1", "SUPPORTED", "BROADCAST"),
            ("P2", "SUPPORTED", "BROADCAST"),
            ("P3", "NOT_SUPPORTED", "BROADCAST"),
        }
        sw.assert_outputs_match_schemas()


async def test_a_known_meter_asks_only_the_routed_provider(switch: SwitchFactory) -> None:
    """Rule 4: fresh support sends the next lookup to the routed provider alone."""
    providers = [
        sim_provider("P1", CITY_A),
        sim_provider("P2", CITY_B),
        sim_provider("P3", TSHWANE),
    ]
    async with switch(*providers) as sw:
        first = await _completed(sw, lookup("04120000001"))
        second = await _completed(sw, lookup("04120000001"))
        assert second["broadcast"] is False
        before = {p["provider_id"]: p["last_response_at"] for p in first["providers"]}
        after = {p["provider_id"]: p["last_response_at"] for p in second["providers"]}
        refreshed = {pid for pid in after if after[pid] != before[pid]}
        assert refreshed == {second["routed_provider_id"]}
        assert statuses(second) == statuses(first)


async def test_stale_support_is_broadcast_again(switch: SwitchFactory) -> None:
    """Rule 4: support older than the coverage window (30 days) asks everyone again."""
    clock = Clock()
    providers = [sim_provider("P1", CITY_A), sim_provider("P2", CITY_B)]
    async with switch(*providers, clock=clock) as sw:
        await _completed(sw, lookup("04120000002"))
        clock.offset = timedelta(days=31)
        again = await _completed(sw, lookup("04120000002"))
        assert again["broadcast"] is True


async def test_a_provider_down_during_a_broadcast_stays_unconfirmed(switch: SwitchFactory) -> None:
    """Rule 2: a hanging or failing provider is UNCONFIRMED, and the lookup ends by its deadline."""
    providers = [
        sim_provider("P1", CITY_A),
        sim_provider("P2", CITY_B),
        sim_provider("P3", TSHWANE),
    ]
    async with switch(*providers) as sw:
        sw.sims["P2"].controls.go_down(Fault.HANG)
        sw.sims["P3"].controls.go_down(Fault.ERROR_503)
        started = datetime.now(UTC)
        done = await _completed(sw, lookup("04120000003"))
        assert statuses(done) == {"P1": "SUPPORTED", "P2": "UNCONFIRMED", "P3": "UNCONFIRMED"}
        awaiting = {p["provider_id"]: p["awaiting_confirmation"] for p in done["providers"]}
        assert awaiting == {"P1": False, "P2": True, "P3": True}
        completed_at = datetime.fromisoformat(done["occurred_at"])
        assert completed_at - started < timedelta(
            seconds=3 + 2
        )  # deadline 3 s, plus slack for a busy machine


async def test_a_meter_nobody_supports_is_blocked_then_unblocked(switch: SwitchFactory) -> None:
    """Rule 6: nobody supports it → BLOCKED and ppu.meter.blocked; then support → unblocked."""
    providers = [sim_provider("P1", TSHWANE), sim_provider("P2", TSHWANE)]
    clock = Clock()
    async with switch(*providers, clock=clock) as sw:
        done = await _completed(sw, lookup("04120000004"))
        assert done["outcome"] == "BLOCKED"
        assert statuses(done) == {"P1": "NOT_SUPPORTED", "P2": "NOT_SUPPORTED"}
        (blocked,) = await sw.wait_for(
            Topic.METER_BLOCKED, lambda e: e["meter_number"] == "04120000004"
        )
        assert blocked["blocked"] is True
        assert blocked["purchase_id"] is None
        sw.sims["P2"].controls.set_coverage([CITY_B])
        clock.offset = timedelta(days=31)
        again = await _completed(sw, lookup("04120000004"))
        assert again["outcome"] == "FOUND"
        unblocked = await sw.wait_for(Topic.METER_BLOCKED, lambda e: e["blocked"] is False)
        assert unblocked[0]["meter_number"] == "04120000004"


async def test_a_meter_with_no_known_utility_is_unassigned(switch: SwitchFactory) -> None:
    """Rule 3: a receiver the configuration does not map leaves the utility null (Unassigned)."""
    async with switch(sim_provider("P1", NOWHERE)) as sw:
        done = await _completed(sw, lookup("09990000001"))
        assert done["outcome"] == "FOUND"
        assert done["utility"] is None


async def test_requests_that_cannot_be_served_are_answered_invalid(switch: SwitchFactory) -> None:
    """An empty meter number or an unknown institution gets INVALID with the reason."""
    async with switch(sim_provider("P1", CITY_A)) as sw:
        empty = await _completed(sw, lookup(" - "))
        assert (empty["outcome"], empty["reason"]) == ("INVALID", "meter_number: empty")
        stranger = await _completed(sw, lookup("04120000005", institution="NOPE"))
        assert stranger["outcome"] == "INVALID"
        assert "NOPE" in stranger["reason"]
        sw.assert_outputs_match_schemas()


async def test_a_malformed_event_is_dead_lettered_and_the_next_one_served(
    switch: SwitchFactory,
) -> None:
    """Undecodable bytes go to ppu.dead-letter with the reason; the partition moves on."""
    async with switch(sim_provider("P1", CITY_A)) as sw:
        await sw.publish_raw(Topic.LOOKUP_REQUESTED, b'{"lookup_id": 7}', key="04120000006")
        done = await _completed(sw, lookup("04120000006"))
        assert done["outcome"] == "FOUND"
        (letter,) = await sw.wait_for(Topic.DEAD_LETTER)
        assert letter["source_topic"] == sw.topic(Topic.LOOKUP_REQUESTED)
        assert "LookupRequested" in letter["reason"]


async def test_mark_then_lookup_walks_the_rebroadcast_cycle(switch: SwitchFactory) -> None:
    """Rule 5 and the user guide: MARK unconfirms, the next lookup broadcasts, clears, unblocks."""
    providers = [sim_provider("P1", TSHWANE), sim_provider("P2", TSHWANE)]
    meter = "04120000007"
    async with switch(*providers) as sw:
        first = await _completed(sw, lookup(meter))
        assert first["outcome"] == "BLOCKED"
        sw.sims["P2"].controls.set_coverage([CITY_B])
        await sw.publish(Topic.REBROADCAST_FLAGS, mark(meter))
        flagged = await sw.wait_for(Topic.SUPPORT_UPDATED, lambda e: e["cause"] == "FLAG", count=2)
        assert {(u["provider_id"], u["status"]) for u in flagged} == {
            ("P1", "UNCONFIRMED"),
            ("P2", "UNCONFIRMED"),
        }
        assert not sw.seen(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] != first["lookup_id"])
        after = await _completed(sw, lookup(meter))
        assert after["broadcast"] is True
        assert after["outcome"] == "FOUND"
        assert statuses(after) == {"P1": "NOT_SUPPORTED", "P2": "SUPPORTED"}
        (cleared,) = await sw.wait_for(Topic.REBROADCAST_FLAGS, lambda e: e["action"] == "CLEARED")
        assert cleared["meter_number"] == meter
        (unblocked,) = await sw.wait_for(Topic.METER_BLOCKED, lambda e: e["blocked"] is False)
        assert unblocked["meter_number"] == meter
        settled = await _completed(sw, lookup(meter))
        assert settled["broadcast"] is False  # the flag is gone: back to the routed provider
        sw.assert_outputs_match_schemas()


async def test_mark_keeps_confirmed_support(switch: SwitchFactory) -> None:
    """Rule 5: SUPPORTED stays SUPPORTED after MARK; only the others become UNCONFIRMED."""
    providers = [sim_provider("P1", CITY_A), sim_provider("P2", TSHWANE)]
    meter = "04120000008"
    async with switch(*providers) as sw:
        await _completed(sw, lookup(meter))
        await sw.publish(Topic.REBROADCAST_FLAGS, mark(meter))
        (update,) = await sw.wait_for(Topic.SUPPORT_UPDATED, lambda e: e["cause"] == "FLAG")
        assert (update["provider_id"], update["previous_status"], update["status"]) == (
            "P2",
            "NOT_SUPPORTED",
            "UNCONFIRMED",
        )
