"""Canonical bytes: sorted, compact, deterministic, so a re-published event is identical."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import canonical_bytes, decode, model_for
from schemas.codec import canonical_json
from schemas.v1 import Event, MeterBlocked


def test_canonical_bytes_are_sorted_compact_utf8(sample_events: dict[str, Event]) -> None:
    """Keys are sorted at every level, with no whitespace between tokens."""
    data = canonical_bytes(sample_events["ppu.token.issued"])
    text = data.decode("utf-8")
    assert ": " not in text
    assert ", " not in text
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    assert text.startswith('{"amount":{"currency":"ZAR","value":10000},"charges":[],"event_id":')


def test_round_trip_is_byte_identical_for_every_topic(sample_events: dict[str, Event]) -> None:
    """Decoding canonical bytes and encoding again gives the same bytes, for every topic."""
    for topic, event in sample_events.items():
        first = canonical_bytes(event)
        again = decode(model_for(topic), first)
        assert again == event, topic
        assert canonical_bytes(again) == first, topic


def test_input_order_does_not_change_the_bytes(sample_events: dict[str, Event]) -> None:
    """The same event parsed from differently ordered JSON serialises identically."""
    event = sample_events["ppu.purchase.failed"]
    reordered = json.dumps(dict(reversed(list(json.loads(canonical_bytes(event)).items()))))
    assert canonical_bytes(decode(type(event), reordered)) == canonical_bytes(event)


def test_nulls_and_timestamps_are_explicit(sample_events: dict[str, Event]) -> None:
    """Null fields stay in the bytes; times are UTC with a Z suffix."""
    issued = json.loads(canonical_bytes(sample_events["ppu.token.issued"]))
    assert issued["tokens"][1]["token"] is None
    assert issued["occurred_at"] == "2025-03-14T09:26:53.589000Z"


def test_unblock_event_has_blocked_false(sample_events: dict[str, Event]) -> None:
    """The unblock form is the same topic and model with blocked false."""
    blocked = sample_events["ppu.meter.blocked"]
    assert isinstance(blocked, MeterBlocked)
    assert blocked.blocked is True
    unblocked = blocked.model_copy(update={"blocked": False, "purchase_id": None})
    assert json.loads(canonical_bytes(unblocked))["blocked"] is False


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(payload=_JSON)
def test_canonical_json_is_the_standard_library_s_sorted_compact_form(payload: object) -> None:
    """orjson writes the very bytes json.dumps(sort_keys, compact, ensure_ascii=False) would:
    escapes, non-ASCII text, floats, and integers beyond 64 bits (the fallback) included."""
    expected = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(payload) == expected.encode("utf-8")


def test_only_numbers_below_a_ten_thousandth_are_written_positionally() -> None:
    """The one difference from json.dumps: 1e-05 is written 0.00001, the same JSON number."""
    assert canonical_json({"units": 1e-05}) == b'{"units":0.00001}'
    assert json.loads(canonical_json({"units": 1e-05})) == {"units": 1e-05}
