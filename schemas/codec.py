"""Bytes in and out: strict decoding with a readable reason, canonical deterministic encoding.

Canonical bytes are compact UTF-8 JSON with sorted keys, so an event re-published from the
outbox (or replayed for a duplicate purchase) is byte-identical to the first copy.
"""

from __future__ import annotations

import json
from typing import TypeVar

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
    payload = event.model_dump(mode="json")
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
