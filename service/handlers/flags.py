"""`ppu.rebroadcast.flags`: an operator's MARK flags the meter for a broadcast (rule 5).

MARK unconfirms every provider that has not confirmed support and changes nothing else until
the meter's next lookup or purchase. CLEARED records are the service's own announcements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from schemas.v1.enums import FlagAction, SupportCause
from schemas.v1.inputs import RebroadcastFlag
from service.domain.meter_number import InvalidMeterNumberError, normalise_meter_number
from service.domain.rebroadcast import mark_for_rebroadcast
from service.engine.errors import PermanentError
from service.engine.records import Event
from service.handlers.directory import Directory
from service.handlers.outputs import Outputs
from service.ports.store import SwitchStore

log = structlog.get_logger(__name__)


class FlagHandler:
    """Applies MARKs; skips the service's own CLEARED announcements."""

    def __init__(
        self,
        *,
        directory: Directory,
        store: SwitchStore,
        outputs: Outputs,
        clock: Callable[[], datetime],
    ) -> None:
        self._dir = directory
        self._store = store
        self._outputs = outputs
        self._clock = clock

    async def __call__(self, event: Event[RebroadcastFlag]) -> None:
        """Apply one flag record."""
        flag = event.payload
        if flag.action is FlagAction.CLEARED:
            return
        try:
            meter_number = normalise_meter_number(flag.meter_number)
        except InvalidMeterNumberError as exc:
            # No outcome topic answers a flag: the dead letter carries the reason to operators.
            raise PermanentError("MARK without a meter number") from exc
        now = self._clock()
        async with self._store.begin(event.input) as uow:
            if uow.already_applied:
                return
            meter = await uow.meters.lock(meter_number)
            marked = mark_for_rebroadcast(
                meter,
                requested_by=flag.requested_by,
                at=now,
                reason=flag.reason,
                providers=self._dir.provider_ids,
            )
            await uow.meters.save(marked.meter)
            await uow.audit.record(
                actor=flag.requested_by,
                action="REBROADCAST_MARK",
                subject=meter_number,
                details={"reason": flag.reason, "event_id": str(flag.event_id)},
            )
            for message in self._outputs.support_updates(
                meter_number, marked.changes, cause=SupportCause.FLAG, at=now
            ):
                await uow.add_output(message)
            await uow.commit()
        log.info("meter_marked", meter_number=meter_number, unconfirmed=len(marked.changes))
