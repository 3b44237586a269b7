"""Input events: what upstream systems and operators publish to the switch."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, StrictStr

from schemas.v1.base import Event, Id, MeterNumberText, Money
from schemas.v1.enums import FlagAction, UtilityType


class LookupRequested(Event):
    """`ppu.lookup.requested`: who serves this meter, and whose is it."""

    lookup_id: Id
    institution_id: Id
    meter_number: MeterNumberText
    utility_type: UtilityType = UtilityType.ELECTRICITY


class PurchaseRequested(Event):
    """`ppu.purchase.requested`: vend tokens for an amount; `purchase_id` is the idempotency key."""

    purchase_id: UUID = Field(
        description="Idempotency key: the same id never vends twice (rule 14)"
    )
    institution_id: Id
    meter_number: MeterNumberText
    amount: Money = Field(description="May be 0: free units only (rule 10)")
    utility_type: UtilityType = UtilityType.ELECTRICITY


class RebroadcastFlag(Event):
    """`ppu.rebroadcast.flags`: an operator's MARK, or the service's CLEARED after the broadcast."""

    meter_number: MeterNumberText
    action: FlagAction
    requested_by: Id = Field(description="Operator (MARK) or the service (CLEARED)")
    reason: StrictStr | None = Field(default=None, max_length=500)
