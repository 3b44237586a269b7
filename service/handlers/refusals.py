"""INVALID answers: every request whose id can be read gets one outcome, however bad the rest.

A record that fails its topic's schema but still shows a readable `purchase_id` / `lookup_id`
becomes a `Refused` request instead of a dead letter (rule 20); so do requests that break a
field rule, and requests reusing another event's id (rule 21). The answer is written once per
input (`answer_once`), with the reason naming the field.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from schemas.v1.enums import FailureOutcome, LookupOutcome
from schemas.v1.inputs import LookupRequested, PurchaseRequested
from schemas.v1.meters import LookupCompleted
from schemas.v1.purchases import ErrorInfo, PurchaseFailed
from service.engine.records import Event
from service.handlers.announce import answer_once
from service.handlers.outputs import Outputs
from service.ports.store import SwitchStore
from service.ports.unit_of_work import InputEvent
from service.topics import Topic

log = structlog.get_logger(__name__)
INVALID_REQUEST = "INVALID_REQUEST"
EVENT_ID_REUSED = "EVENT_ID_REUSED"
UNREADABLE = "(unreadable)"
_ID_FIELDS = {Topic.PURCHASE_REQUESTED: "purchase_id", Topic.LOOKUP_REQUESTED: "lookup_id"}
_MAX_ID, _MAX_METER, _MAX_REASON = 128, 256, 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Refused:
    """A lookup or purchase request to answer INVALID, with what could be read of it."""

    event_id: uuid.UUID
    topic: Topic
    request_id: str
    institution_id: str
    meter_number: str
    reason: str

    @classmethod
    def of(cls, request: LookupRequested | PurchaseRequested, reason: str) -> Refused:
        """A well-formed request refused for `reason`."""
        if isinstance(request, PurchaseRequested):
            topic, request_id = Topic.PURCHASE_REQUESTED, str(request.purchase_id)
        else:
            topic, request_id = Topic.LOOKUP_REQUESTED, request.lookup_id
        return cls(
            event_id=request.event_id,
            topic=topic,
            request_id=request_id,
            institution_id=request.institution_id,
            meter_number=request.meter_number,
            reason=reason,
        )


def _text(value: Any, limit: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def _readable_id(topic: Topic, body: dict[str, Any]) -> str | None:
    raw = _text(body.get(_ID_FIELDS[topic]), _MAX_ID)
    if raw is None or topic is not Topic.PURCHASE_REQUESTED:
        return raw
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def _event_id(body: dict[str, Any], value: bytes) -> uuid.UUID:
    try:
        return uuid.UUID(str(body.get("event_id")))
    except ValueError:
        # None readable: one derived from the bytes, so a redelivery is still answered once.
        return uuid.uuid5(uuid.NAMESPACE_URL, f"ppu-refused:{hashlib.sha256(value).hexdigest()}")


def read_refusal(topic: Topic, value: bytes, reason: str) -> Refused | None:
    """What an undecodable lookup or purchase record still tells, or None without a readable id."""
    if topic not in _ID_FIELDS:
        return None
    try:
        body = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    request_id = _readable_id(topic, body)
    if request_id is None:
        return None
    meter = body.get("meter_number")
    return Refused(
        event_id=_event_id(body, value),
        topic=topic,
        request_id=request_id,
        institution_id=_text(body.get("institution_id"), _MAX_ID) or UNREADABLE,
        meter_number=meter[:_MAX_METER] if isinstance(meter, str) else "",
        reason=reason[:_MAX_REASON],
    )


class Refusals:
    """Publishes the INVALID answer of a refused request, once per input."""

    def __init__(
        self, *, store: SwitchStore, outputs: Outputs, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._outputs = outputs
        self._clock = clock

    async def __call__(self, event: Event[Refused]) -> None:
        """A record that failed its schema but has a readable id."""
        await self.answer(event.input, event.payload, error_type=INVALID_REQUEST)

    async def answer(self, source: InputEvent, refused: Refused, *, error_type: str) -> None:
        """The INVALID outcome on the request's own topic, written once for `source`."""
        at, new_id = self._clock(), self._outputs.new_id()
        meter = refused.meter_number
        # A key PostgreSQL's text (the outbox) and people can hold; keyless otherwise.
        key = meter if meter.isprintable() and meter else None
        if refused.topic is Topic.PURCHASE_REQUESTED:
            failed = PurchaseFailed(
                event_id=new_id,
                occurred_at=at,
                purchase_id=uuid.UUID(refused.request_id),
                institution_id=refused.institution_id,
                meter_number=refused.meter_number,
                outcome=FailureOutcome.INVALID,
                provider_id=None,
                error=ErrorInfo(type=error_type, message=refused.reason),
            )
            message = self._outputs.message(Topic.PURCHASE_FAILED, key, failed)
        else:
            completed = LookupCompleted(
                event_id=new_id,
                occurred_at=at,
                lookup_id=refused.request_id,
                institution_id=refused.institution_id,
                meter_number=refused.meter_number,
                outcome=LookupOutcome.INVALID,
                utility=None,
                broadcast=False,
                reason=refused.reason,
            )
            message = self._outputs.message(Topic.LOOKUP_COMPLETED, key, completed)
        await answer_once(self._store, source, message)
        log.info("request_invalid", error_type=error_type, reason=refused.reason)
