"""Output events about purchases: tokens issued, or why none were."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, StrictFloat, StrictInt, StrictStr

from schemas.v1.base import ContractModel, Event, Id, MeterNumberText, Money, UtcDateTime
from schemas.v1.enums import FailureOutcome, TokenKind
from schemas.v1.parts import Party

Decimalish = StrictFloat | StrictInt
"""A JSON number with or without a fraction (units, rates)."""


class Token(ContractModel):
    """One token, in the provider's order; null number for a "Meter updated" top-up (rule 11)."""

    token: StrictStr | None
    kind: TokenKind
    units: Decimalish | None = None
    amount: Money | None = None
    tax: Money | None = None


class ReportedVat(ContractModel):
    """The provider's own VAT figures, kept as received (rule 12)."""

    rate: Decimalish | None = None
    amount: Money | None = None


class Vat(ContractModel):
    """VAT really included in the purchase (rule 12), with the provider's raw figures beside it."""

    rate: Decimalish = Field(description="Percent, e.g. 15")
    amount: Money
    provider_reported: ReportedVat = Field(default_factory=ReportedVat)


class TokenIssued(Event):
    """`ppu.token.issued`: a purchase vended; tokens ordered exactly as the provider sent them."""

    purchase_id: UUID
    institution_id: Id
    meter_number: MeterNumberText
    settlement_entity: Party
    receiver: Party | None = Field(description="The switch's utility; null when unmapped")
    amount: Money
    tokens: list[Token]
    vat: Vat | None = Field(description="Null when the provider gave no VAT and none is known")
    issued_at: UtcDateTime


class ErrorInfo(ContractModel):
    """Why a purchase failed; `type` is e.g. the provider's errorType (METER_ID_BLOCKED)."""

    type: StrictStr
    message: StrictStr


class PurchaseFailed(Event):
    """`ppu.purchase.failed`: no token; DECLINED, UNKNOWN, METER_BLOCKED (routing) or INVALID."""

    purchase_id: UUID
    institution_id: Id
    meter_number: MeterNumberText
    outcome: FailureOutcome
    provider_id: Id | None
    error: ErrorInfo
