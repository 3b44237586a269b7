"""One consumer for every input topic: decode by topic, hand each event to its use case."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from schemas import EventDecodeError, decode
from schemas.v1.base import Event as ContractEvent
from schemas.v1.inputs import LookupRequested, PurchaseRequested, RebroadcastFlag
from service.engine.errors import DecodeError, PermanentError
from service.engine.records import Event
from service.topics import Topic

InputModel = LookupRequested | PurchaseRequested | RebroadcastFlag
_MODELS: dict[Topic, type[InputModel]] = {
    Topic.LOOKUP_REQUESTED: LookupRequested,
    Topic.PURCHASE_REQUESTED: PurchaseRequested,
    Topic.REBROADCAST_FLAGS: RebroadcastFlag,
}


class InputRouter:
    """The runner's decoder and handler for the input topics under one prefix."""

    def __init__(
        self,
        *,
        topic_prefix: str,
        handlers: Mapping[type[InputModel], Callable[[Any], Awaitable[None]]],
    ) -> None:
        self._models = {f"{topic_prefix}{t.value}": m for t, m in _MODELS.items()}
        self._handlers: dict[type[ContractEvent], Callable[[Any], Awaitable[None]]] = {
            model: handler for model, handler in handlers.items()
        }

    @property
    def topics(self) -> list[str]:
        """The topics this router consumes: those with a handler."""
        return [t for t, m in self._models.items() if m in self._handlers]

    def decode(self, topic: str, value: bytes | None) -> InputModel:
        """Validate the record against its topic's contract model."""
        model = self._models.get(topic)
        if model is None:
            raise DecodeError(f"no contract for topic {topic}")
        if value is None:
            raise DecodeError("the record has no value (a tombstone)")
        try:
            return decode(model, value)
        except EventDecodeError as exc:
            raise DecodeError(exc.reason) from exc

    async def handle(self, event: Event[ContractEvent]) -> None:
        """Run the use case of the event's type."""
        handler = self._handlers.get(type(event.payload))
        if handler is None:
            raise PermanentError(f"no handler for {type(event.payload).__name__}")
        await handler(event)
