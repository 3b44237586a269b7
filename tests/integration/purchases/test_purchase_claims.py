"""Rules 18 and 21 on real services: one vend per purchase id whatever the Kafka key, copies
answered, conflicting copies refused, event ids reused by other content answered."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from adapters.ppu_v3.simulator.config import Latency
from schemas import canonical_bytes
from schemas.v1.base import Money
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider, vends
from tests.support.events import lookup, purchase

pytestmark = pytest.mark.integration
SLOW = Latency(fixed_ms=400)


def _outcomes(sw: Any, purchase_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    def mine(e: dict[str, Any]) -> bool:
        return e.get("purchase_id") == str(purchase_id)

    issued = [("issued", e) for e in sw.seen(Topic.TOKEN_ISSUED, mine)]
    return issued + [("failed", e) for e in sw.seen(Topic.PURCHASE_FAILED, mine)]


async def _wait_outcomes(sw: Any, purchase_id: uuid.UUID, count: int) -> list[Any]:
    async with asyncio.timeout(30):
        while len(_outcomes(sw, purchase_id)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # and no more than that
    return _outcomes(sw, purchase_id)


def _strip(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in {"event_id", "occurred_at"}}


async def test_rule_18_concurrent_copies_on_two_keys_vend_once_and_both_get_it(
    switch: SwitchFactory,
) -> None:
    """The same purchase on the plain and the dashed meter key, at once: one vend, two answers."""
    async with switch(provider("P1", CITY, latency=SLOW)) as sw:
        first = purchase("04128123111")
        copy = purchase("0412-812-3111", purchase_id=first.purchase_id)
        await asyncio.gather(
            sw.publish(Topic.PURCHASE_REQUESTED, first),
            sw.publish(Topic.PURCHASE_REQUESTED, copy),
        )
        answers = await _wait_outcomes(sw, first.purchase_id, 2)
        assert vends(sw, first.purchase_id) == {"P1": 1}
        assert [kind for kind, _ in answers] == ["issued", "issued"]
        assert _strip(answers[0][1]) == _strip(answers[1][1])
        sw.assert_outputs_match_schemas()


async def test_rule_18_a_concurrent_copy_for_another_meter_is_refused_and_never_vends(
    switch: SwitchFactory,
) -> None:
    """Same purchase id, another meter, at once on another key: one vend and one INVALID."""
    async with switch(provider("P1", CITY, latency=SLOW)) as sw:
        first = purchase("04128123112")
        other = purchase("04128123113", purchase_id=first.purchase_id)
        await asyncio.gather(
            sw.publish(Topic.PURCHASE_REQUESTED, first),
            sw.publish(Topic.PURCHASE_REQUESTED, other),
        )
        answers = await _wait_outcomes(sw, first.purchase_id, 2)
        assert sum(vends(sw, first.purchase_id).values()) == 1
        refused = [e for kind, e in answers if kind == "failed"]
        assert [(e["outcome"], e["error"]["type"], e["error"]["message"]) for e in refused] == [
            ("INVALID", "CONFLICTING_DUPLICATE", "conflicting duplicate purchase_id")
        ]
        assert len([e for kind, e in answers if kind == "issued"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Money(value=9999, currency="ZAR")},
        {"institution_id": "INST2"},
        {"meter_number": "04128123199"},
    ],
)
async def test_rule_18_a_later_conflicting_copy_is_refused_and_the_first_is_untouched(
    switch: SwitchFactory, change: dict[str, Any]
) -> None:
    """After the first sale, another amount, institution or meter under its id: INVALID."""
    async with switch(provider("P1", CITY)) as sw:
        first = purchase("04128123114")
        await sw.publish(Topic.PURCHASE_REQUESTED, first)
        await _wait_outcomes(sw, first.purchase_id, 1)
        later = first.model_copy(update={"event_id": uuid.uuid4(), **change})
        await sw.publish(Topic.PURCHASE_REQUESTED, later, key="04128123114")
        answers = await _wait_outcomes(sw, first.purchase_id, 2)
        assert vends(sw, first.purchase_id) == {"P1": 1}
        assert [kind for kind, _ in answers] == ["issued", "failed"]
        assert answers[1][1]["error"]["type"] in {"CONFLICTING_DUPLICATE", "INVALID_REQUEST"}
        if "institution_id" not in change:  # INST2 is unknown: refused for that first
            assert answers[1][1]["error"]["type"] == "CONFLICTING_DUPLICATE"


async def test_rule_21_an_event_id_reused_by_another_purchase_is_answered_and_never_vends(
    switch: SwitchFactory,
) -> None:
    """Another purchase under a used event id: INVALID EVENT_ID_REUSED, no vend, first intact."""
    async with switch(provider("P1", CITY)) as sw:
        first = purchase("04128123115")
        await sw.publish(Topic.PURCHASE_REQUESTED, first)
        await _wait_outcomes(sw, first.purchase_id, 1)
        reuse = purchase("04128123116").model_copy(update={"event_id": first.event_id})
        await sw.publish(Topic.PURCHASE_REQUESTED, reuse)
        (kind, answer), *_ = await _wait_outcomes(sw, reuse.purchase_id, 1)
        assert (kind, answer["outcome"], answer["error"]["type"]) == (
            "failed",
            "INVALID",
            "EVENT_ID_REUSED",
        )
        assert vends(sw, reuse.purchase_id) == {}
        assert len(_outcomes(sw, first.purchase_id)) == 1


async def test_rule_21_a_replayed_lookup_is_skipped_and_a_reused_id_is_answered(
    switch: SwitchFactory,
) -> None:
    """Same bytes again: no second outcome; other content under the id: INVALID saying so."""
    async with switch(provider("P1", CITY)) as sw:
        first = lookup("04128123117")
        raw = canonical_bytes(first)
        await sw.publish_raw(Topic.LOOKUP_REQUESTED, raw, key="04128123117")
        await sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == first.lookup_id)
        await sw.publish_raw(Topic.LOOKUP_REQUESTED, raw, key="04128123117")
        other = lookup("04128123118").model_copy(update={"event_id": first.event_id})
        await sw.publish(Topic.LOOKUP_REQUESTED, other)
        (answer,) = await sw.wait_for(
            Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == other.lookup_id
        )
        assert answer["outcome"] == "INVALID"
        assert "event_id" in answer["reason"]
        await asyncio.sleep(1.0)
        replays = sw.seen(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == first.lookup_id)
        assert len(replays) == 1
        sw.assert_outputs_match_schemas()
