"""Input events: strict enough to dead-letter malformed records, tolerant of extra fields."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas import EventDecodeError, decode
from schemas.v1 import FlagAction, LookupRequested, PurchaseRequested, RebroadcastFlag, UtilityType


def _purchase(**changes: Any) -> bytes:
    body: dict[str, Any] = {
        "event_id": "0b0e6a9e-64c3-4a34-9f6f-1f1e0c4e7b10",
        "occurred_at": "2025-03-14T11:26:53.589+02:00",
        "purchase_id": "9a6e0c52-1d3b-4f7a-b2c8-5e4d3f2a1b09",
        "institution_id": "RETAIL-01",
        "meter_number": "0123-4567-890",
        "amount": {"value": 0, "currency": "ZAR"},
    }
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


def test_valid_purchase_decodes_with_defaults_and_utc_time() -> None:
    """A valid purchase decodes; zero amount allowed, ELECTRICITY default, time in UTC."""
    event = decode(PurchaseRequested, _purchase())
    assert event.amount.value == 0
    assert event.utility_type is UtilityType.ELECTRICITY
    assert event.occurred_at == datetime(2025, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)
    assert event.occurred_at.utcoffset() is not None
    assert event.meter_number == "0123-4567-890"


def test_extra_fields_are_ignored() -> None:
    """Fields a newer producer adds do not make the event invalid."""
    event = decode(
        PurchaseRequested, _purchase(channel="USSD", amount={"value": 5, "currency": "ZAR", "x": 1})
    )
    assert event.amount.value == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purchase_id": ...}, "purchase_id: Field required"),
        ({"purchase_id": "not-a-uuid"}, "purchase_id"),
        ({"event_id": 7}, "event_id"),
        ({"occurred_at": "2025-03-14T09:26:53"}, "occurred_at"),
        ({"occurred_at": 1741944413}, "occurred_at"),
        ({"amount": {"value": "1500", "currency": "ZAR"}}, "amount.value"),
        ({"amount": {"value": 15.5, "currency": "ZAR"}}, "amount.value"),
        ({"amount": {"value": -1, "currency": "ZAR"}}, "amount.value"),
        ({"amount": {"value": 100, "currency": "710"}}, "amount.currency"),
        ({"amount": {"value": 100, "currency": "zar"}}, "amount.currency"),
        ({"institution_id": ""}, "institution_id"),
        ({"institution_id": 42}, "institution_id"),
        ({"meter_number": 1234}, "meter_number"),
        ({"utility_type": "electricity"}, "utility_type"),
    ],
)
def test_malformed_purchase_fails_with_the_field_named(changes: dict[str, Any], field: str) -> None:
    """A malformed purchase is refused with a reason naming the offending field."""
    with pytest.raises(EventDecodeError) as caught:
        decode(PurchaseRequested, _purchase(**changes))
    assert field in caught.value.reason
    assert caught.value.reason.startswith("invalid PurchaseRequested:")


@pytest.mark.parametrize("data", [b"{not json", b"[]", b"\xff\xfe", b""])
def test_non_json_or_wrong_shape_is_refused(data: bytes) -> None:
    """Bytes that are not a JSON object are refused with a reason, never an uncaught error."""
    with pytest.raises(EventDecodeError, match="invalid LookupRequested"):
        decode(LookupRequested, data)


def test_empty_meter_number_is_well_formed() -> None:
    """An empty meter number passes the schema: the lookup answers INVALID instead (issue 5)."""
    event = decode(
        LookupRequested,
        b'{"event_id":"0b0e6a9e-64c3-4a34-9f6f-1f1e0c4e7b10","occurred_at":"2025-03-14T09:26:53Z",'
        b'"lookup_id":"L1","institution_id":"I","meter_number":""}',
    )
    assert event.meter_number == ""


def test_flag_actions_are_mark_and_cleared_only() -> None:
    """A rebroadcast flag carries MARK or CLEARED; anything else is refused."""
    base = {
        "event_id": "0b0e6a9e-64c3-4a34-9f6f-1f1e0c4e7b10",
        "occurred_at": "2025-03-14T09:26:53Z",
        "meter_number": "123",
        "requested_by": "ops",
    }
    mark = decode(RebroadcastFlag, json.dumps({**base, "action": "MARK"}))
    assert (mark.action, mark.reason) == (FlagAction.MARK, None)
    with pytest.raises(EventDecodeError, match="action"):
        decode(RebroadcastFlag, json.dumps({**base, "action": "UNMARK"}))
