"""Output events about meters: lookup results, support changes and routing blocks."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, StrictBool, StrictStr

from schemas.v1.base import Event, Id, MeterNumberText, Money, UtcDateTime
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
    min_amount: Money | None = Field(default=None, description="Smallest purchase allowed")
    max_amount: Money | None = Field(default=None, description="Largest purchase allowed")
    arrears: Money | None = Field(default=None, description="Debt outstanding on the account")
    free_units_due: StrictBool | None = Field(
        default=None, description="A free basic (BSST) token is owed"
    )
    details_provider_id: Id | None = Field(
        default=None,
        description="The provider whose answer gave the amounts, arrears and free units",
    )


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
