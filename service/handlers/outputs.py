"""Output events built from domain values, ready for the outbox (canonical bytes, fresh ids)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from schemas import canonical_bytes
from schemas.v1.base import Event
from schemas.v1.enums import FlagAction, SupportCause
from schemas.v1.enums import SupportStatus as WireStatus
from schemas.v1.inputs import RebroadcastFlag
from schemas.v1.meters import MeterBlocked, SupportUpdated
from schemas.v1.parts import ProviderSupport as WireSupport
from service.domain.support import MeterSupport
from service.domain.support_changes import SupportChange
from service.ports.unit_of_work import OutboxMessage
from service.topics import Topic

SERVICE_ACTOR = "ppu-switch"


class Outputs:
    """Turns events into outbox messages on the configured topic names."""

    def __init__(
        self, *, topic_prefix: str = "", new_id: Callable[[], uuid.UUID] = uuid.uuid4
    ) -> None:
        self.prefix = topic_prefix
        self.new_id = new_id

    def message(self, topic: Topic, key: str | None, event: Event) -> OutboxMessage:
        """One outbox row: the event's canonical bytes under its own event id."""
        return OutboxMessage(
            topic=f"{self.prefix}{topic.value}",
            key=key,
            event_id=event.event_id,
            payload=canonical_bytes(event),
        )

    def support_updates(
        self,
        meter_number: str,
        changes: Iterable[SupportChange],
        *,
        cause: SupportCause,
        at: datetime,
    ) -> list[OutboxMessage]:
        """`ppu.support.updated` for each changed provider."""
        return [
            self.message(
                Topic.SUPPORT_UPDATED,
                meter_number,
                SupportUpdated(
                    event_id=self.new_id(),
                    occurred_at=at,
                    meter_number=meter_number,
                    provider_id=c.current.provider_id,
                    status=WireStatus(c.current.status.value),
                    last_response_at=c.current.last_response_at,
                    cause=cause,
                    previous_status=WireStatus(c.previous.value) if c.previous else None,
                    awaiting_confirmation=c.awaiting_confirmation,
                ),
            )
            for c in changes
        ]

    def flag_cleared(self, meter_number: str, *, at: datetime) -> OutboxMessage:
        """CLEARED on `ppu.rebroadcast.flags`, once the flagged meter's broadcast ran."""
        event = RebroadcastFlag(
            event_id=self.new_id(),
            occurred_at=at,
            meter_number=meter_number,
            action=FlagAction.CLEARED,
            requested_by=SERVICE_ACTOR,
            reason="rebroadcast completed",
        )
        return self.message(Topic.REBROADCAST_FLAGS, meter_number, event)

    def routing_block(
        self,
        meter: MeterSupport,
        *,
        institution_id: str,
        blocked: bool,
        providers: Iterable[str],
        at: datetime,
        purchase_id: uuid.UUID | None = None,
    ) -> OutboxMessage:
        """`ppu.meter.blocked` (or its end, `blocked: false`) with each provider's status."""
        reason = (
            "no enabled provider supports the meter"
            if blocked
            else "an enabled provider supports the meter"
        )
        event = MeterBlocked(
            event_id=self.new_id(),
            occurred_at=at,
            meter_number=meter.meter_number,
            institution_id=institution_id,
            purchase_id=purchase_id,
            reason=reason,
            providers=wire_support(meter, providers),
            blocked=blocked,
        )
        return self.message(Topic.METER_BLOCKED, meter.meter_number, event)


def wire_support(meter: MeterSupport, providers: Iterable[str]) -> list[WireSupport]:
    """Each provider's support for the meter as the contract shows it."""
    return [
        WireSupport(
            provider_id=pid,
            status=WireStatus(meter.support_of(pid).status.value),
            last_response_at=meter.support_of(pid).last_response_at,
            awaiting_confirmation=meter.awaiting_confirmation(pid),
        )
        for pid in providers
    ]
