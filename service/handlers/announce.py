"""What a recorded lookup announces: support changes, a cleared flag, a routing (un)block."""

from __future__ import annotations

import uuid
from datetime import datetime

from schemas.v1.enums import SupportCause
from service.config import Institution
from service.domain.blocking import BlockTransition
from service.handlers.directory import Directory
from service.handlers.lookup_run import Recorded
from service.handlers.outputs import Outputs
from service.ports.store import SwitchStore
from service.ports.unit_of_work import InputEvent, OutboxMessage


def announcements(
    recorded: Recorded,
    *,
    outputs: Outputs,
    directory: Directory,
    institution: Institution,
    cause: SupportCause,
    at: datetime,
    purchase_id: uuid.UUID | None = None,
) -> list[OutboxMessage]:
    """Outbox messages for everything the lookup changed, in the order they happened."""
    meter = recorded.meter
    messages = outputs.support_updates(meter.meter_number, recorded.changes, cause=cause, at=at)
    if recorded.flag_cleared:
        messages.append(outputs.flag_cleared(meter.meter_number, at=at))
    if recorded.block is not BlockTransition.NONE:
        messages.append(
            outputs.routing_block(
                meter,
                institution_id=institution.id,
                blocked=recorded.block is BlockTransition.BLOCKED,
                providers=directory.enabled_providers(institution),
                at=at,
                purchase_id=purchase_id,
            )
        )
    return messages


async def answer_once(store: SwitchStore, source: InputEvent, message: OutboxMessage) -> None:
    """Publish one outcome for an input that changes no state (e.g. INVALID), at most once."""
    async with store.begin(source) as uow:
        if uow.already_applied:
            return
        await uow.add_output(message)
        await uow.commit()
