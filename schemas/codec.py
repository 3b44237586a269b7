"""Bytes in and out: strict decoding with a readable reason, canonical deterministic encoding.

Canonical bytes are compact UTF-8 JSON with sorted keys, so an event re-published from the
outbox (or replayed for a duplicate purchase) is byte-identical to the first copy.

orjson writes them: the model is validated already, so only serialising is left, and orjson
sorts and encodes in one native pass (the standard library's encoder was a tenth of a lookup's
CPU with pydantic's dump). msgspec would be as fast but wants the contract declared again as
its own structs. Its bytes equal `json.dumps(..., sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`'s, which still writes what orjson cannot (integers beyond 64 bits), except
that a number below 1e-4 is written positionally (0.00001 for 1e-05): the same JSON number.
Stored outputs are re-published as stored, so the bytes of an event never change.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import orjson
from pydantic import ValidationError

from schemas.v1.base import ContractModel

M = TypeVar("M", bound=ContractModel)


class EventDecodeError(ValueError):
    """A record is not a valid event of its topic; `reason` says why, for the dead letter."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonical_bytes(event: ContractModel) -> bytes:
    """Serialise an event deterministically: sorted keys, no spaces, UTF-8, nulls kept."""
    return canonical_json(event.model_dump(mode="json"))


def canonical_json(payload: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys of JSON-ready data (what `canonical_bytes` writes)."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")


def decode(model: type[M], data: bytes | str) -> M:
    """Parse and validate one record value; every problem becomes one `EventDecodeError`."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise EventDecodeError(f"invalid {model.__name__}: {_summarise(exc)}") from exc


def _summarise(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in error["loc"]) or "(value)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
