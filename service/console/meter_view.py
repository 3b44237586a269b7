"""What the Meter Management page shows for one meter and one institution (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.config import Institution
from service.domain.support import MeterSupport, RebroadcastFlag, SupportStatus
from service.handlers.directory import Directory
from service.ports.meters import CreditBlock

STATUS_LABELS = {
    SupportStatus.SUPPORTED: "Supported",
    SupportStatus.NOT_SUPPORTED: "Not Supported",
    SupportStatus.UNCONFIRMED: "Unconfirmed",
}


@dataclass(frozen=True, kw_only=True)
class ProviderRow:
    """One provider's line: id, name, last response and support status."""

    provider_id: str
    provider_name: str
    status: SupportStatus
    last_response_at: datetime | None
    awaiting_confirmation: bool


@dataclass(frozen=True, kw_only=True)
class MeterView:
    """The meter as the signed-in institution sees it."""

    meter_number: str
    utility_id: str | None
    utility_name: str | None
    routing_blocked: bool
    credit_block: CreditBlock | None
    flag: RebroadcastFlag | None
    rows: tuple[ProviderRow, ...]

    def as_json(self) -> dict[str, Any]:
        """The API's representation."""
        block = self.credit_block
        return {
            "meter_number": self.meter_number,
            "utility": (
                {"id": self.utility_id, "name": self.utility_name} if self.utility_name else None
            ),
            "routing_blocked": self.routing_blocked,
            "credit_block": (
                {"provider_id": block.provider_id, "seen_at": block.seen_at.isoformat()}
                if block
                else None
            ),
            "marked_for_rebroadcast": self.flag is not None,
            "flag": (
                {
                    "requested_by": self.flag.requested_by,
                    "requested_at": _iso(self.flag.requested_at),
                }
                if self.flag
                else None
            ),
            "providers": [
                {
                    "provider_id": r.provider_id,
                    "provider": r.provider_name,
                    "status": r.status.value,
                    "status_label": STATUS_LABELS[r.status],
                    "last_response_at": _iso(r.last_response_at),
                    "awaiting_confirmation": r.awaiting_confirmation,
                }
                for r in self.rows
            ],
        }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def meter_view(
    meter: MeterSupport,
    *,
    directory: Directory,
    institution: Institution,
    routing_blocked: bool,
    credit_block: CreditBlock | None,
) -> MeterView:
    """One row per provider the institution enabled, in its configured order."""
    utility = directory.utility(meter.utility_id)
    rows = tuple(
        ProviderRow(
            provider_id=pid,
            provider_name=directory.provider_name(pid),
            status=meter.support_of(pid).status,
            last_response_at=meter.support_of(pid).last_response_at,
            awaiting_confirmation=meter.awaiting_confirmation(pid),
        )
        for pid in directory.enabled_providers(institution)
    )
    return MeterView(
        meter_number=meter.meter_number,
        utility_id=utility.id if utility else None,
        utility_name=utility.name if utility else None,
        routing_blocked=routing_blocked,
        credit_block=credit_block,
        flag=meter.flag,
        rows=rows,
    )
