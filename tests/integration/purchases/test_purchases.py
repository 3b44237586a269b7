"""Token purchases end to end on real Kafka, PostgreSQL and simulated providers (issue 6)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from adapters.ppu_v3.simulator.config import Fault, Operation, UtilityCoverage
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, TSHWANE, outcome, provider, vends
from tests.support.events import lookup, mark, purchase

pytestmark = pytest.mark.integration

ESKOM = UtilityCoverage(utility_id="ESK", name="Eskom Direct", prefixes=["1400"], eskom_vat=True)


async def test_a_purchase_issues_tokens_and_confirms(switch: SwitchFactory) -> None:
    """Happy path: one vend, ppu.token.issued with entity and receiver, then a confirmation."""
    async with switch(provider("P1", CITY)) as sw:
        request = purchase("04121111111", 5000)
        kind, event = await outcome(sw, request)
        assert kind == "issued"
        assert event["settlement_entity"] == {"id": "P1", "name": "Sim P1"}
        assert event["receiver"] == {"id": "COJ", "name": "City of Johannesburg"}
        assert event["amount"] == {"value": 5000, "currency": "ZAR"}
        assert len(event["tokens"]) == 1
        assert event["tokens"][0]["token"]
        assert vends(sw, request.purchase_id) == {"P1": 1}
        async with asyncio.timeout(10):
            while not sw.sims["P1"].ledger.advices(str(request.purchase_id)):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        (advice,) = sw.sims["P1"].ledger.advices(str(request.purchase_id))
        assert advice.kind == "confirmation"
        sw.assert_outputs_match_schemas()


async def test_zero_amount_gives_the_free_token(switch: SwitchFactory) -> None:
    """Rule 10: a zero amount is valid and returns the free units token."""
    free = UtilityCoverage(
        utility_id="CPW", name="City Power", prefixes=["0412"], free_units=50.0, min_amount=0
    )
    async with switch(provider("P1", free)) as sw:
        kind, event = await outcome(sw, purchase("04122222222", 0))
        assert kind == "issued"
        assert event["amount"]["value"] == 0
        assert [t["kind"] for t in event["tokens"]] == ["FREE_BASIC"]


async def test_several_tokens_keep_the_providers_order(switch: SwitchFactory) -> None:
    """Rule 10: free and purchased tokens come back in the provider's order."""
    many = UtilityCoverage(
        utility_id="CPW",
        name="City Power",
        prefixes=["0412"],
        free_units=50.0,
        tokens_per_purchase=2,
    )
    async with switch(provider("P1", many)) as sw:
        request = purchase("04123333333", 8000)
        kind, event = await outcome(sw, request)
        assert kind == "issued"
        (vend,) = sw.sims["P1"].ledger.vends(str(request.purchase_id))
        assert [t["token"] for t in event["tokens"]] == list(vend.tokens)
        assert event["tokens"][0]["kind"] == "FREE_BASIC"
        assert len(event["tokens"]) == 3


async def test_meter_updated_has_no_token_number(switch: SwitchFactory) -> None:
    """Rule 11: a smart meter updated directly yields token null with kind METER_UPDATED."""
    smart = UtilityCoverage(
        utility_id="CPW", name="City Power", prefixes=["0412"], meter_updated=["04124444444"]
    )
    async with switch(provider("P1", smart)) as sw:
        kind, event = await outcome(sw, purchase("04124444444"))
        assert kind == "issued"
        assert [(t["token"], t["kind"]) for t in event["tokens"]] == [(None, "METER_UPDATED")]


async def test_eskom_receipts_carry_the_vat_really_included(switch: SwitchFactory) -> None:
    """Rule 12: 0% VAT on the receipt becomes rate 15, total x 15/115, with the raw figures kept."""
    async with switch(provider("P1", ESKOM)) as sw:
        kind, event = await outcome(sw, purchase("14000000001", 10000))
        assert kind == "issued"
        assert event["receiver"]["id"] == "ESKOM"
        assert event["vat"]["rate"] in ("15", 15)
        assert event["vat"]["amount"] == {"value": 1304, "currency": "ZAR"}
        assert event["vat"]["provider_reported"]["amount"]["value"] == 0


async def test_not_supported_fails_over_to_the_next_provider(switch: SwitchFactory) -> None:
    """Rule 9: "meter not supported" marks that provider NOT_SUPPORTED and the next one vends."""
    meter = "04125555555"
    async with switch(
        provider("P1", CITY),
        provider("P2", CITY),
        config_overrides={"meter_preferences": [{"meter_number": meter, "provider_id": "P1"}]},
    ) as sw:
        await sw.publish(
            Topic.LOOKUP_REQUESTED,
            lookup(meter),
        )
        await sw.wait_for(Topic.LOOKUP_COMPLETED)
        sw.sims["P1"].controls.set_coverage([TSHWANE])
        request = purchase(meter)
        kind, event = await outcome(sw, request)
        assert kind == "issued"
        assert event["settlement_entity"]["id"] == "P2"
        assert vends(sw, request.purchase_id) == {"P2": 1}
        (update,) = await sw.wait_for(
            Topic.SUPPORT_UPDATED, lambda e: e["cause"] == "PURCHASE" and e["provider_id"] == "P1"
        )
        assert update["status"] == "NOT_SUPPORTED"


async def test_other_declines_fail_the_purchase(switch: SwitchFactory) -> None:
    """Rule 9: an amount below the minimum is declined; no failover, no vend."""
    async with switch(provider("P1", CITY), provider("P2", CITY)) as sw:
        request = purchase("04126666666", 100)
        kind, event = await outcome(sw, request)
        assert kind == "failed"
        assert event["outcome"] == "DECLINED"
        assert event["provider_id"] in {"P1", "P2"}
        assert vends(sw, request.purchase_id) == {}


async def test_municipality_block_is_a_decline_not_a_routing_block(switch: SwitchFactory) -> None:
    """Rule 16: METER_ID_BLOCKED fails DECLINED; no routing block, support untouched."""
    blocked = UtilityCoverage(
        utility_id="CPW", name="City Power", prefixes=["0412"], blocked=["04127777777"]
    )
    async with switch(provider("P1", blocked)) as sw:
        kind, event = await outcome(sw, purchase("04127777777"))
        assert (kind, event["outcome"], event["error"]["type"]) == (
            "failed",
            "DECLINED",
            "METER_ID_BLOCKED",
        )
        assert sw.seen(Topic.METER_BLOCKED) == []
        assert not sw.seen(Topic.SUPPORT_UPDATED, lambda e: e["status"] == "NOT_SUPPORTED")


async def test_a_meter_nobody_supports_is_blocked(switch: SwitchFactory) -> None:
    """Rules 6 and 7: nobody supports it → ppu.meter.blocked (with purchase id), METER_BLOCKED."""
    async with switch(
        provider("P1", TSHWANE),
        provider("P2", TSHWANE),
    ) as sw:
        request = purchase("04128888888")
        kind, event = await outcome(sw, request)
        assert (kind, event["outcome"]) == ("failed", "METER_BLOCKED")
        (block,) = await sw.wait_for(Topic.METER_BLOCKED)
        assert block["purchase_id"] == str(request.purchase_id)
        assert block["blocked"] is True
        assert {p["status"] for p in block["providers"]} == {"NOT_SUPPORTED"}


async def test_a_duplicate_purchase_gets_the_first_outcome_and_one_vend(
    switch: SwitchFactory,
) -> None:
    """Rule 14: the same purchase id again never vends; the first outcome is published again."""
    async with switch(provider("P1", CITY)) as sw:
        first = purchase("04129999990")
        await outcome(sw, first)
        again = purchase("04129999990", purchase_id=first.purchase_id)
        await sw.publish(Topic.PURCHASE_REQUESTED, again)
        copies = await sw.wait_for(
            Topic.TOKEN_ISSUED, lambda e: e["purchase_id"] == str(first.purchase_id), count=2
        )
        assert vends(sw, first.purchase_id) == {"P1": 1}
        strip = lambda e: {k: v for k, v in e.items() if k != "event_id"}  # noqa: E731
        assert strip(copies[0]) == strip(copies[1])
        assert copies[0]["event_id"] != copies[1]["event_id"]


async def test_a_timeout_is_recovered_by_retry_with_one_vend(switch: SwitchFactory) -> None:
    """Rule 8: a purchase hanging past the timeout is recovered by retry, with one vend."""
    async with switch(provider("P1", CITY), provider("P2", CITY)) as sw:
        for sim in sw.sims.values():
            sim.controls.inject(Fault.HANG, count=1, operation=Operation.PURCHASE)
        request = purchase("04129999991")
        kind, event = await outcome(sw, request)
        assert kind == "issued"
        assert sum(vends(sw, request.purchase_id).values()) == 1
        (vend,) = [v for s in sw.sims.values() for v in s.ledger.vends(str(request.purchase_id))]
        assert vend.via == "purchase"
        assert [t["token"] for t in event["tokens"]] == list(vend.tokens)


async def test_routing_honours_ranks_and_exclusions(switch: SwitchFactory) -> None:
    """Rule 7: the institution's rank 1 vends; an excluded provider never does."""
    institutions = [
        {
            "id": "INST",
            "name": "Test",
            "enabled_providers": ["P1", "P2", "P3"],
            "routing": {"COJ": {"ranked": ["P3", "P1"], "excluded": ["P2"]}},
        }
    ]
    async with switch(
        provider("P1", CITY),
        provider("P2", CITY),
        provider("P3", CITY),
        config_overrides={"institutions": institutions},
    ) as sw:
        first = purchase("04120000011")
        _, event = await outcome(sw, first)
        assert event["settlement_entity"]["id"] == "P3"
        sw.sims["P3"].controls.set_coverage([TSHWANE])
        second = purchase("04120000011")
        _, event = await outcome(sw, second)
        assert event["settlement_entity"]["id"] == "P1"
        assert "P2" not in vends(sw, first.purchase_id) | vends(sw, second.purchase_id)


async def test_weights_share_unranked_purchases(switch: SwitchFactory) -> None:
    """Rule 17: weight 0 takes nothing; other weights share the purchases."""
    async with switch(
        provider("P1", CITY),
        provider("P2", CITY),
        provider("P3", CITY),
        provider_overrides={"P1": {"weight": 3}, "P2": {"weight": 1}, "P3": {"weight": 0}},
    ) as sw:
        requests = [purchase(f"041200001{i:02d}") for i in range(24)]
        for request in requests:
            await sw.publish(Topic.PURCHASE_REQUESTED, request)
        await sw.wait_for(Topic.TOKEN_ISSUED, count=24, within_s=60)
        by_provider = {pid: 0 for pid in ("P1", "P2", "P3")}
        for event in sw.seen(Topic.TOKEN_ISSUED):
            by_provider[event["settlement_entity"]["id"]] += 1
        assert by_provider["P3"] == 0
        assert by_provider["P1"] > by_provider["P2"] > 0


async def test_a_flagged_meters_purchase_rebroadcasts_first(switch: SwitchFactory) -> None:
    """Rule 5: the purchase of a flagged meter broadcasts, clears the flag, then vends."""
    meter = "04120000022"
    async with switch(
        provider("P1", TSHWANE),
        provider("P2", TSHWANE),
    ) as sw:
        await sw.publish(Topic.LOOKUP_REQUESTED, lookup(meter))
        await sw.wait_for(Topic.LOOKUP_COMPLETED)
        sw.sims["P2"].controls.set_coverage([CITY])
        await sw.publish(Topic.REBROADCAST_FLAGS, mark(meter))
        await sw.wait_for(Topic.SUPPORT_UPDATED, lambda e: e["cause"] == "FLAG", count=2)
        request = purchase(meter)
        kind, event = await outcome(sw, request)
        assert kind == "issued"
        assert event["settlement_entity"]["id"] == "P2"
        (cleared,) = await sw.wait_for(Topic.REBROADCAST_FLAGS, lambda e: e["action"] == "CLEARED")
        assert cleared["meter_number"] == meter
        await sw.wait_for(Topic.METER_BLOCKED, lambda e: e["blocked"] is False)


async def test_the_ledger_shows_every_attempt(switch: SwitchFactory, database_url: str) -> None:
    """The purchase ledger keeps the state and each provider call."""
    async with switch(provider("P1", CITY)) as sw:
        request = purchase("04120000033")
        await outcome(sw, request)
        conn = await asyncpg.connect(database_url)
        try:
            state = await conn.fetchval(
                "SELECT state FROM purchases WHERE purchase_id = $1", request.purchase_id
            )
            attempts = await conn.fetch(
                "SELECT provider_id, operation, result FROM purchase_attempts"
                " WHERE purchase_id = $1",
                request.purchase_id,
            )
        finally:
            await conn.close()
        assert state in {"CONFIRMATION_PENDING", "CONFIRMATION_ACKNOWLEDGED"}
        assert [(a["provider_id"], a["operation"], a["result"]) for a in attempts] == [
            ("P1", "PURCHASE", "SUCCEEDED")
        ]


async def test_purchases_that_cannot_be_served_fail_invalid(switch: SwitchFactory) -> None:
    """An empty meter number or an unknown institution: ppu.purchase.failed INVALID, no vend."""
    async with switch(provider("P1", CITY)) as sw:
        empty = purchase("  ")
        kind, event = await outcome(sw, empty)
        assert (kind, event["outcome"]) == ("failed", "INVALID")
        assert event["error"]["message"] == "meter_number: empty"
        stranger = purchase("04120000044").model_copy(update={"institution_id": "NOPE"})
        kind, event = await outcome(sw, stranger)
        assert (kind, event["outcome"], event["error"]["type"]) == (
            "failed",
            "INVALID",
            "INVALID_REQUEST",
        )
        assert vends(sw, stranger.purchase_id) == {}
        sw.assert_outputs_match_schemas()


async def test_a_round_of_confirmations_is_recorded_advice_by_advice(
    switch: SwitchFactory, database_url: str
) -> None:
    """Rule 13: the answers of one round are kept together, yet each advice keeps its own:
    the one the provider turned away (503) is resent later, the others are done at once."""
    async with switch(provider("P1", CITY)) as sw:
        sw.sims["P1"].controls.inject(Fault.ERROR_503, count=1, operation=Operation.CONFIRMATION)
        requests = [purchase(f"0412777000{i}", 1000) for i in range(5)]
        for request in requests:
            await sw.publish(Topic.PURCHASE_REQUESTED, request)
        ids = [r.purchase_id for r in requests]
        conn = await asyncpg.connect(database_url)
        try:
            async with asyncio.timeout(30):
                while True:
                    rows = await conn.fetch(
                        "SELECT a.state, a.attempts, p.state AS purchase_state FROM advices a"
                        " JOIN purchases p USING (purchase_id) WHERE a.purchase_id = ANY($1)",
                        ids,
                    )
                    if len(rows) == 5 and all(r["state"] == "DELIVERED" for r in rows):
                        break
                    await asyncio.sleep(0.1)
        finally:
            await conn.close()
        assert {r["purchase_state"] for r in rows} == {"CONFIRMATION_ACKNOWLEDGED"}
        assert sorted(r["attempts"] for r in rows) == [1, 1, 1, 1, 2]
        assert sum(len(sw.sims["P1"].ledger.advices(str(i))) for i in ids) == 5
