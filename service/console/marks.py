"""Confirm support: publish the MARK, then show the page as it is once the switch applied it.

The switch applies a MARK asynchronously. Until its audit entry appears, the console shows the
meter as MARK will leave it (the same domain rule the switch runs), so the operator sees the
message, no button and the Unconfirmed statuses right after the click.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from schemas import canonical_bytes
from schemas.v1.enums import FlagAction
from schemas.v1.inputs import RebroadcastFlag
from service.console.store import ConsoleStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True, kw_only=True)
class PendingMark:
    """A MARK this console published that the switch may not have applied yet."""

    event_id: str
    requested_by: str
    requested_at: datetime
    reason: str | None
    published_monotonic: float


class MarkPublisher:
    """Publishes MARKs to `ppu.rebroadcast.flags` and remembers them until they are applied."""

    def __init__(
        self,
        *,
        producer: Any,
        topic: str,
        store: ConsoleStore,
        forget_after_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._store = store
        self._forget_after_s = forget_after_s
        self._clock = clock
        self._pending: dict[str, PendingMark] = {}

    async def mark(self, meter_number: str, *, requested_by: str, reason: str | None) -> None:
        """Publish one MARK keyed by the normalised meter number."""
        event = RebroadcastFlag(
            event_id=uuid.uuid4(),
            occurred_at=datetime.now(UTC),
            meter_number=meter_number,
            action=FlagAction.MARK,
            requested_by=requested_by,
            reason=reason,
        )
        await self._producer.send_and_wait(
            self._topic, canonical_bytes(event), key=meter_number.encode()
        )
        self._pending[meter_number] = PendingMark(
            event_id=str(event.event_id),
            requested_by=requested_by,
            requested_at=event.occurred_at,
            reason=reason,
            published_monotonic=self._clock(),
        )
        log.info("meter_mark_published", meter_number=meter_number, event_id=str(event.event_id))

    async def pending(self, meter_number: str) -> PendingMark | None:
        """The meter's MARK not yet applied by the switch, if any."""
        mark = self._pending.get(meter_number)
        if mark is None:
            return None
        too_old = self._clock() - mark.published_monotonic > self._forget_after_s
        if too_old or await self._store.mark_recorded(meter_number, mark.event_id):
            self._pending.pop(meter_number, None)
            return None
        return mark

    async def wait_applied(self, meter_number: str, *, within_s: float) -> bool:
        """Wait up to `within_s` for the switch to apply the meter's MARK."""
        deadline = self._clock() + within_s
        while await self.pending(meter_number) is not None:
            if self._clock() >= deadline:
                return False
            await asyncio.sleep(0.1)
        return True
