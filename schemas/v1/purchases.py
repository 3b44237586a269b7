"""Output events about purchases: tokens issued, or why none were."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, StrictFloat, StrictInt, StrictStr

from schemas.v1.base import ContractModel, Event, Id, MeterNumberText, Money, UtcDateTime
from schemas.v1.enums import ChargeKind, FailureOutcome, TokenKind
from schemas.v1.parts import Party

Decimalish = StrictFloat | StrictInt
"""A JSON number with or without a fraction (units, rates)."""


class TariffBlock(ContractModel):
    """Units priced at one rate, as the provider's `tariffCalc` gave them (v1.1)."""

    units: Decimalish | None = None
    rate: Decimalish | None = Field(default=None, description="Minor units per unit, e.g. 117.3")


class Token(ContractModel):
    """One token, in the provider's order; null number for a "Meter updated" top-up (rule 11).

    v1.1 adds the receipt: the provider's tax type, rate and receipt number for this token and
    the tariff blocks that priced it; each is null when the provider did not send it (rule 15).
    """

    token: StrictStr | None
    kind: TokenKind
    units: Decimalish | None = None
    amount: Money | None = None
    tax: Money | None = None
    tax_type: StrictStr | None = Field(default=None, description="As sent, e.g. VAT")
    tax_rate: Decimalish | None = Field(default=None, description="Percent as sent; 0 stays 0")
    receipt_number: StrictStr | None = None
    tariff_blocks: list[TariffBlock] | None = Field(
        default=None, description="Null when the provider sent no tariffCalc; [] when it sent []"
    )


class Charge(ContractModel):
    """A debt-recovery or service charge the provider deducted from the amount (v1.1)."""

    kind: ChargeKind
    description: StrictStr | None = None
    amount: Money | None = None
    tax: Money | None = None
    tax_type: StrictStr | None = None
    tax_rate: Decimalish | None = None
    balance: Money | None = Field(default=None, description="Debt still owed (debt recovery)")
    receipt_number: StrictStr | None = None


class ReportedVat(ContractModel):
    """The provider's own tax figures, exactly as received (rule 12): 0 is 0, absent is null."""

    rate: Decimalish | None = Field(default=None, description="The tokens' taxRate")
    amount: Money | None = Field(default=None, description="The provider's taxTotal")
    tax_type: StrictStr | None = Field(default=None, description="The tokens' taxType")
    token_tax: Money | None = Field(
        default=None, description="Sum of the tokens' tax; null when no token carried one"
    )


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
    charges: list[Charge] = Field(
        default_factory=list, description="Debt recovery, then service charges, in provider order"
    )
    vat_invoice_number: StrictStr | None = None


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
