"""One consumer for every input topic: decode by topic, claim the event id, hand it to its use case.

Before any work the event id is claimed with its content's hash (rule 21): a replay of an event
already applied is skipped; another event reusing the id is answered INVALID (lookups and
purchases) or dead-lettered (flags, which have no outcome to carry the answer). A record that
fails its schema is answered INVALID when its request id can still be read (rule 20), and
dead-lettered only when it cannot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

import structlog

from schemas import EventDecodeError, decode
from schemas.v1.base import Event as ContractEvent
from schemas.v1.inputs import LookupRequested, PurchaseRequested, RebroadcastFlag
from service.engine.errors import DecodeError, PermanentError
from service.engine.records import Event
from service.handlers.refusals import EVENT_ID_REUSED, Refusals, Refused, read_refusal
from service.ports.store import SwitchStore
from service.ports.unit_of_work import EventClaim
from service.topics import Topic

log = structlog.get_logger(__name__)
InputModel = LookupRequested | PurchaseRequested | RebroadcastFlag
_MODELS: dict[Topic, type[InputModel]] = {
    Topic.LOOKUP_REQUESTED: LookupRequested,
    Topic.PURCHASE_REQUESTED: PurchaseRequested,
    Topic.REBROADCAST_FLAGS: RebroadcastFlag,
}
REUSED_REASON = "event_id: already used by a different event"


class InputRouter:
    """The runner's decoder and handler for the input topics under one prefix."""

    def __init__(
        self,
        *,
        topic_prefix: str,
        handlers: Mapping[type[InputModel], Callable[[Any], Awaitable[None]]],
        store: SwitchStore,
        refusals: Refusals,
    ) -> None:
        self._topics = {f"{topic_prefix}{t.value}": t for t in _MODELS}
        self._handlers: dict[type[Any], Callable[[Any], Awaitable[None]]] = {
            model: handler for model, handler in handlers.items()
        }
        self._handlers[Refused] = refusals
        self._store = store
        self._refusals = refusals

    @property
    def topics(self) -> list[str]:
        """The topics this router consumes: those with a handler."""
        return [name for name, t in self._topics.items() if _MODELS[t] in self._handlers]

    def decode(self, topic: str, value: bytes | None) -> InputModel | Refused:
        """Validate the record against its topic's contract model."""
        contract = self._topics.get(topic)
        if contract is None:
            raise DecodeError(f"no contract for topic {topic}")
        if value is None:
            raise DecodeError("the record has no value (a tombstone)")
        try:
            return decode(_MODELS[contract], value)
        except EventDecodeError as exc:
            refused = read_refusal(contract, value, exc.reason)
            if refused is None:
                raise DecodeError(exc.reason) from exc
            return refused

    async def handle(self, event: Event[ContractEvent | Refused]) -> None:
        """Claim the event id, then run the use case of the event's type."""
        handler = self._handlers.get(type(event.payload))
        if handler is None:
            raise PermanentError(f"no handler for {type(event.payload).__name__}")
        claim = await self._store.claim_event(event.input)
        if claim is EventClaim.REPLAY:
            log.info("event_replay_skipped")
            return
        if claim is EventClaim.REUSED:
            await self._reused(event)
            return
        await handler(event)

    async def _reused(self, event: Event[ContractEvent | Refused]) -> None:
        payload = event.payload
        if isinstance(payload, Refused):
            refused = replace(payload, reason=REUSED_REASON)
        elif isinstance(payload, LookupRequested | PurchaseRequested):
            refused = Refused.of(payload, REUSED_REASON)
        else:
            raise PermanentError(REUSED_REASON)
        await self._refusals.answer(event.input.reanswer(), refused, error_type=EVENT_ID_REUSED)
