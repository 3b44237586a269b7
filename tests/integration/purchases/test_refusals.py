"""Rule 20 on real services: every request whose id can be read gets one INVALID outcome
naming the field; only records without a readable id are dead-lettered; oversize records are
refused at the door and the meter's next request is served."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import pytest

from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider, vends

pytestmark = pytest.mark.integration


def _purchase_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-11-30T08:00:00Z",
        "purchase_id": str(uuid.uuid4()),
        "institution_id": "INST",
        "meter_number": "04128124000",
        "amount": {"value": 5000, "currency": "ZAR"},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": {"value": -5, "currency": "ZAR"}}, "amount.value"),
        ({"amount": {"value": 2**64, "currency": "ZAR"}}, "amount.value"),
        ({"amount": {"value": 5000, "currency": "XXX"}}, "amount.currency"),
        ({"amount": {"value": 5000, "currency": "zar"}}, "amount.currency"),
        ({"utility_type": "STEAM"}, "utility_type"),
        ({"meter_number": "0412\U0001f4a18124000"}, "meter_number"),
        ({"meter_number": "0412\x008124000"}, "meter_number"),
        ({"meter_number": "0412\x1b8124000"}, "meter_number"),
        ({"meter_number": "4" * 300}, "meter_number"),
        ({"institution_id": "I" * 500}, "institution_id"),
        ({"occurred_at": 17}, "occurred_at"),
    ],
)
async def test_rule_20_a_purchase_breaking_a_field_rule_gets_invalid_naming_it(
    switch: SwitchFactory, changes: dict[str, Any], field: str
) -> None:
    """One INVALID ppu.purchase.failed with the field in its message; no vend, no dead letter."""
    async with switch(provider("P1", CITY)) as sw:
        body = _purchase_body(**changes)
        await sw.publish_raw(Topic.PURCHASE_REQUESTED, json.dumps(body).encode(), key="04128124000")
        (answer,) = await sw.wait_for(
            Topic.PURCHASE_FAILED, lambda e: e["purchase_id"] == body["purchase_id"]
        )
        assert answer["outcome"] == "INVALID"
        assert answer["error"]["type"] == "INVALID_REQUEST"
        assert field in answer["error"]["message"]
        assert vends(sw, body["purchase_id"]) == {}
        assert sw.seen(Topic.DEAD_LETTER) == []
        sw.assert_outputs_match_schemas()


async def test_rule_20_a_lookup_with_a_readable_id_is_answered_and_one_without_dead_lettered(
    switch: SwitchFactory,
) -> None:
    """A bad meter with a lookup id: INVALID; no lookup id at all: one dead letter."""
    async with switch(provider("P1", CITY)) as sw:
        bad = {"lookup_id": "till-9-1", "institution_id": "INST", "meter_number": "04\U0001f600"}
        await sw.publish_raw(Topic.LOOKUP_REQUESTED, json.dumps(bad).encode(), key="x")
        (answer,) = await sw.wait_for(
            Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == "till-9-1"
        )
        assert answer["outcome"] == "INVALID"
        assert "event_id" in answer["reason"] or "meter_number" in answer["reason"]
        await sw.publish_raw(Topic.LOOKUP_REQUESTED, b'{"meter_number": "0412"}', key="x")
        (letter,) = await sw.wait_for(Topic.DEAD_LETTER)
        assert letter["error_type"] == "decode"
        sw.assert_outputs_match_schemas()


async def test_rule_20_a_record_near_the_broker_limit_is_cut_into_a_letter_and_the_meter_moves_on(
    switch: SwitchFactory,
) -> None:
    """~900 KB: a dead letter that fits, with length and SHA-256; the next purchase is served."""
    async with switch(provider("P1", CITY)) as sw:
        huge = json.dumps(_purchase_body(meter_number="0" * 900_000)).encode()
        await sw.publish_raw(Topic.PURCHASE_REQUESTED, huge, key="04128124001")
        body = _purchase_body(meter_number="04128124001")
        await sw.publish_raw(Topic.PURCHASE_REQUESTED, json.dumps(body).encode(), key="04128124001")
        (letter,) = await sw.wait_for(Topic.DEAD_LETTER)
        assert letter["error_type"] == "oversize"
        assert letter["original_length"] == len(huge)
        assert letter["original_sha256"] == hashlib.sha256(huge).hexdigest()
        assert letter["original_truncated"] is True
        assert huge.startswith(base64.b64decode(letter["original_value"]))
        (issued,) = await sw.wait_for(
            Topic.TOKEN_ISSUED, lambda e: e["purchase_id"] == body["purchase_id"]
        )
        assert issued["meter_number"] == "04128124001"
        sw.assert_outputs_match_schemas()
