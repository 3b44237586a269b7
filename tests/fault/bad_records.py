"""Bad input records, generated deterministically by Hypothesis strategies from a seed.

Each defect is one thing wrong with an otherwise valid purchase or lookup. A record whose id
(`purchase_id` / `lookup_id`) can still be read must get an INVALID outcome naming the field;
one without a readable id (or larger than the engine's limit) must get one dead letter.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from service.topics import Topic
from tests.fault.expect import Request, Want

Spec = tuple[str, str, Any]  # (kind, defect, what the strategy drew for it)
JUNK = st.one_of(
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.booleans(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)
# NUL, bell, escape, right-to-left override, emoji, Hangul, accented, fullwidth dollar.
ODD_CHARS = st.sampled_from(
    ["\x00", "\x07", "\x1b", "\u202e", "\U0001f600", "\ud7ff", "\xe9", "\uff04"]
)
# Values of a type no field of that name has: never an integer where an integer is right.
NOT_INT = st.one_of(st.text(max_size=4), st.lists(st.integers(), max_size=2), st.booleans())
REQUIRED = {
    "purchase": ["event_id", "occurred_at", "institution_id", "meter_number", "amount"],
    "lookup": ["event_id", "occurred_at", "institution_id", "meter_number"],
}
TYPED = {
    "purchase": [*REQUIRED["purchase"], "utility_type", "amount.value", "amount.currency"],
    "lookup": [*REQUIRED["lookup"], "utility_type"],
}


def _defects(kind: str) -> dict[str, st.SearchStrategy[Any]]:
    """Each defect of a record of `kind`, and what it needs drawn."""
    defects: dict[str, st.SearchStrategy[Any]] = {
        "malformed JSON": st.binary(max_size=120),
        "truncated JSON": st.floats(0.05, 0.95),
        "not an object": JUNK,
        "no id": st.none(),
        "id of a wrong type": JUNK,
        "wrong type": st.sampled_from(TYPED[kind]).flatmap(_wrong),
        "missing field": st.sampled_from(REQUIRED[kind]),
        "unknown utility type": st.sampled_from(["PETROL", "SOLAR", "X", ""]),
        "odd meter character": ODD_CHARS,
        "oversize meter": st.integers(257, 5000),
        "oversize institution": st.integers(129, 3000),
        "oversize record": st.integers(70_000, 160_000),
    }
    if kind == "purchase":
        defects["negative amount"] = st.integers(-(10**12), -1)
        defects["huge amount"] = st.integers(2**63, 10**30)
        defects["unknown currency"] = st.sampled_from(["XXX", "ZZZ"])
    return defects


def _wrong(path: str) -> st.SearchStrategy[tuple[str, Any]]:
    """A value of the wrong type for the field at `path`."""
    return st.tuples(st.just(path), NOT_INT if path == "amount.value" else JUNK)


def _examples(strategy: st.SearchStrategy[Any], seed: int, count: int) -> list[Any]:
    """Up to `count` distinct values of `strategy`, the same for the same seed."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found


def draw_specs(seed: int, count: int, per_defect: int = 40, oversize: int = 20) -> list[Spec]:
    """`count` specs spread evenly over every defect of both kinds (but only `oversize` records
    over the engine's limit per kind: they are costly); Hypothesis draws the details, a few
    dozen distinct ones per defect, reused with fresh ids; the same for the same seed."""
    pools: list[list[Spec]] = []
    specs: list[Spec] = []
    for kind in ("purchase", "lookup"):
        for name, strategy in _defects(kind).items():
            drawn = [(kind, name, value) for value in _examples(strategy, seed, per_defect)]
            if name == "oversize record":
                specs += [drawn[i % len(drawn)] for i in range(oversize)]
            else:
                pools.append(drawn)
    for i in range(count - len(specs)):
        pool = pools[i % len(pools)]
        specs.append(pool[(i // len(pools)) % len(pool)])
    return specs


def base(kind: str, rng: random.Random) -> dict[str, Any]:
    """A valid purchase or lookup, with ids drawn from `rng` (unique, never from Hypothesis)."""
    record: dict[str, Any] = {
        "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "occurred_at": "2026-11-30T08:00:00Z",
        "institution_id": "INST",
        "meter_number": f"0412{rng.randrange(10_000_000):07d}",
        "utility_type": "ELECTRICITY",
    }
    if kind == "purchase":
        record["purchase_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        record["amount"] = {"value": 1000, "currency": "ZAR"}
    else:
        record["lookup_id"] = f"BL-{rng.getrandbits(64):016x}"
    return record


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    if path.startswith("amount."):
        record["amount"][path.split(".")[1]] = value
    else:
        record[path] = value


Shape = tuple[Any, Want, str | None]  # (record or raw bytes, want, field named)


def _shape(defect: str, drawn: Any, record: dict[str, Any], id_field: str) -> Shape:
    """Apply one defect to `record` (in place where it stays a dict)."""
    fields: dict[str, Callable[[], Shape]] = {
        "malformed JSON": lambda: (b"{" + drawn, Want.DEAD_LETTER, None),
        "truncated JSON": lambda: (_cut(record, drawn), Want.DEAD_LETTER, None),
        "not an object": lambda: (json.dumps(drawn).encode(), Want.DEAD_LETTER, None),
        "no id": lambda: (_drop(record, id_field), Want.DEAD_LETTER, None),
        "id of a wrong type": lambda: (_put(record, id_field, drawn), Want.DEAD_LETTER, None),
        "wrong type": lambda: (
            _put(record, drawn[0], drawn[1]),
            Want.INVALID,
            drawn[0].split(".")[0],
        ),
        "missing field": lambda: (_drop(record, drawn), Want.INVALID, drawn),
        "unknown utility type": lambda: (
            _put(record, "utility_type", drawn),
            Want.INVALID,
            "utility_type",
        ),
        "odd meter character": lambda: (_odd_meter(record, drawn), Want.INVALID, "meter_number"),
        "oversize meter": lambda: (
            _put(record, "meter_number", "4" * drawn),
            Want.INVALID,
            "meter_number",
        ),
        "oversize institution": lambda: (
            _put(record, "institution_id", "I" * drawn),
            Want.INVALID,
            "institution_id",
        ),
        "oversize record": lambda: (_put(record, "note", "n" * drawn), Want.DEAD_LETTER, None),
        "negative amount": lambda: (_put(record, "amount.value", drawn), Want.INVALID, "amount"),
        "huge amount": lambda: (_put(record, "amount.value", drawn), Want.INVALID, "amount"),
        "unknown currency": lambda: (
            _put(record, "amount.currency", drawn),
            Want.INVALID,
            "currency",
        ),
    }
    return fields[defect]()


def _drop(record: dict[str, Any], name: str) -> dict[str, Any]:
    del record[name]
    return record


def _put(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    _set(record, path, value)
    return record


def _cut(record: dict[str, Any], share: float) -> bytes:
    text = json.dumps(record).encode()
    return text[: max(1, int(len(text) * share))]


def _odd_meter(record: dict[str, Any], char: str) -> dict[str, Any]:
    meter = record["meter_number"]
    record["meter_number"] = meter[:4] + char + meter[4:]
    return record


def to_request(spec: Spec, rng: random.Random) -> Request:
    """The record a spec describes, and what it must get back."""
    kind, defect, drawn = spec
    record = base(kind, rng)
    id_field = "purchase_id" if kind == "purchase" else "lookup_id"
    rid = record[id_field]
    shaped, want, named = _shape(defect, drawn, record, id_field)
    value = (
        shaped
        if isinstance(shaped, bytes)
        else json.dumps(shaped, ensure_ascii=False).encode("utf-8", "surrogatepass")
    )
    readable = want is not Want.DEAD_LETTER or defect == "oversize record"
    meter = record.get("meter_number") if isinstance(shaped, dict) else None
    key = meter.encode("utf-8", "surrogatepass")[:300] if isinstance(meter, str) else b"bad-record"
    return Request(
        label=f"{kind}: {defect}" + (f" ({named})" if named else ""),
        topic=Topic.PURCHASE_REQUESTED if kind == "purchase" else Topic.LOOKUP_REQUESTED,
        key=key,
        value=value,
        want=want,
        rid=rid if readable else None,
        error_type="INVALID_REQUEST" if want is Want.INVALID and kind == "purchase" else None,
        field=named,
    )
