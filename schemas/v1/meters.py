"""Output events about meters: lookup results, support changes and routing blocks."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, StrictBool, StrictStr

from schemas.v1.base import Event, Id, MeterNumberText, UtcDateTime
from schemas.v1.enums import LookupOutcome, SupportCause, SupportStatus
from schemas.v1.parts import Customer, Party, ProviderSupport


class LookupCompleted(Event):
    """`ppu.lookup.completed`: the answer to every lookup request, INVALID ones included."""

    lookup_id: Id
    institution_id: Id
    meter_number: MeterNumberText
    outcome: LookupOutcome
    utility: Party | None = Field(description="The switch's utility; null shows as Unassigned")
    customer: Customer = Field(default_factory=Customer)
    providers: list[ProviderSupport] = Field(default_factory=list)
    routed_provider_id: Id | None = None
    broadcast: StrictBool
    reason: StrictStr | None = Field(default=None, description="Why, for INVALID and BLOCKED")


class MeterBlocked(Event):
    """`ppu.meter.blocked`: the switch's routing block (rule 6), or its end when `blocked` is false.

    Never a municipality's METER_ID_BLOCKED decline, which is a `ppu.purchase.failed` (rule 16).
    """

    meter_number: MeterNumberText
    institution_id: Id
    purchase_id: UUID | None = None
    reason: StrictStr
    providers: list[ProviderSupport]
    blocked: StrictBool = True


class SupportUpdated(Event):
    """`ppu.support.updated`: one provider's support for one meter changed."""

    meter_number: MeterNumberText
    provider_id: Id
    status: SupportStatus
    last_response_at: UtcDateTime | None
    cause: SupportCause
    previous_status: SupportStatus | None = None
    awaiting_confirmation: StrictBool = False
