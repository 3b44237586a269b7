"""The meter repository port: support status, flags and routing blocks, inside a unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from service.domain.support import MeterSupport
from service.domain.utility import ReceiverReport


@dataclass(frozen=True, kw_only=True)
class CreditBlock:
    """A municipality's METER_ID_BLOCKED seen on the meter's last purchase (rule 16)."""

    provider_id: str
    seen_at: datetime


@dataclass(frozen=True, kw_only=True)
class MeterSummary:
    """A search hit: the number and its utility id, if any."""

    meter_number: str
    utility_id: str | None


class MeterRepository(Protocol):
    """Reads and writes one meter's state; writes belong to the caller's transaction."""

    async def get(self, meter_number: str) -> MeterSupport | None:
        """The meter as last saved, or None when the switch has never seen it."""
        ...

    async def lock(self, meter_number: str) -> MeterSupport:
        """Create the meter if new, lock its row until the transaction ends, and return it."""
        ...

    async def save(self, meter: MeterSupport) -> None:
        """Write the meter's utility, broadcast time, flag and every provider's support."""
        ...

    async def routing_blocked(self, meter_number: str, institution_id: str) -> bool:
        """Whether the meter was last announced as blocked for this institution."""
        ...

    async def set_routing_blocked(
        self, meter_number: str, institution_id: str, *, blocked: bool, at: datetime
    ) -> None:
        """Record the routing block state announced for this institution."""
        ...

    async def record_utility_reports(
        self,
        meter_number: str,
        reports: Sequence[ReceiverReport],
        *,
        utility_ids: Sequence[str | None],
        at: datetime,
    ) -> None:
        """Keep what each provider called the meter's utility, and what it mapped to."""
        ...

    async def credit_block(self, meter_number: str) -> CreditBlock | None:
        """The municipality's block seen on the last purchase, if it was one."""
        ...

    async def search(self, prefix: str, *, limit: int) -> list[MeterSummary]:
        """Meters whose normalised number starts with `prefix`, in number order."""
        ...
