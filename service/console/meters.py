"""Meter Management: suggestions, the meter page's data and Confirm support."""

from __future__ import annotations

from service.config import Institution
from service.console.marks import MarkPublisher
from service.console.meter_view import MeterView, meter_view
from service.console.store import ConsoleStore
from service.domain.meter_number import InvalidMeterNumberError, normalise_meter_number
from service.domain.rebroadcast import mark_for_rebroadcast
from service.handlers.directory import Directory
from service.ports.meters import MeterSummary


def normalised_or_none(raw: str) -> str | None:
    """The normalised number, or None when nothing is left of it."""
    try:
        return normalise_meter_number(raw)
    except InvalidMeterNumberError:
        return None


class MeterService:
    """Reads meters for one institution's eyes and marks them for rebroadcast."""

    def __init__(
        self,
        *,
        store: ConsoleStore,
        directory: Directory,
        marks: MarkPublisher,
        search_limit: int,
        mark_wait_s: float,
    ) -> None:
        self._store = store
        self._dir = directory
        self._marks = marks
        self._limit = search_limit
        self._wait_s = mark_wait_s

    @property
    def directory(self) -> Directory:
        """The configuration as the switch reads it."""
        return self._dir

    async def suggest(self, typed: str, institution: Institution) -> list[MeterSummary]:
        """The institution's meters starting with the typed text, normalised as the switch
        normalises numbers."""
        prefix = normalised_or_none(typed)
        if prefix is None:
            return []
        return await self._store.search(institution.id, prefix, limit=self._limit)

    def utility_name(self, utility_id: str | None) -> str | None:
        """The utility's name, None for Unassigned."""
        utility = self._dir.utility(utility_id)
        return utility.name if utility else None

    async def view(self, raw_number: str, institution: Institution) -> MeterView | None:
        """The meter page's data; a MARK not yet applied is shown as MARK will leave it."""
        number = normalised_or_none(raw_number)
        state = None if number is None else await self._store.meter(number, institution.id)
        if state is None:
            return None
        meter = state.meter
        pending = await self._marks.pending(meter.meter_number)
        if pending is not None and meter.flag is None:
            meter = mark_for_rebroadcast(
                meter,
                requested_by=pending.requested_by,
                at=pending.requested_at,
                reason=pending.reason,
                providers=self._dir.provider_ids,
            ).meter
        return meter_view(
            meter,
            directory=self._dir,
            institution=institution,
            routing_blocked=state.routing_blocked,
            credit_block=state.credit_block,
        )

    async def confirm_support(
        self, raw_number: str, institution: Institution, *, actor: str, reason: str | None
    ) -> MeterView | None:
        """Mark a known meter once (a flagged meter is left as it is); None if unknown."""
        before = await self.view(raw_number, institution)
        if before is None or before.flag is not None:
            return before
        await self._marks.mark(before.meter_number, requested_by=actor, reason=reason)
        await self._marks.wait_applied(before.meter_number, within_s=self._wait_s)
        return await self.view(before.meter_number, institution)
