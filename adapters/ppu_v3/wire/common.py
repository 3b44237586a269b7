"""Building blocks shared by the v3 messages: institutions, amounts, meters, tokens."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

# Units and rates are JSON numbers on the wire; pydantic would write Decimal as a string.
WireDecimal = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class WireModel(BaseModel):
    """camelCase on the wire, unknown fields ignored, numbers accepted where strings are due."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        coerce_numbers_to_str=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """Serialise as the wire wants it: camelCase, nulls omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Institution(WireModel):
    """An institution id and name."""

    id: str | None = None
    name: str | None = None


class MerchantName(WireModel):
    """The card acceptor's name and location."""

    name: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None


class Merchant(WireModel):
    """Merchant data of the originator."""

    merchant_type: str | None = None
    merchant_id: str | None = None
    merchant_name: MerchantName | None = None


class Originator(WireModel):
    """Who started the transaction."""

    institution: Institution | None = None
    terminal_id: str | None = None
    merchant: Merchant | None = None
    operator_id: str | None = None


class ThirdPartyIdentifier(WireModel):
    """One entity's reference for the transaction."""

    institution_id: str | None = None
    transaction_identifier: str | None = None


class LedgerAmount(WireModel):
    """Minor units and an ISO 4217 numeric currency."""

    amount: int | None = None
    currency: str | None = None
    ledger_indicator: str | None = None


class TaxableAmount(LedgerAmount):
    """An amount with its tax; tax is non-zero only when the amount excludes it."""

    tax: int | None = None
    tax_type: str | None = None
    tax_rate: WireDecimal | None = None


class KeyChangeData(WireModel):
    """New key data after a key change."""

    new_supply_group_code: str | None = None
    new_key_revision_number: str | None = None
    new_tariff_index: str | None = None


class Meter(WireModel):
    """A meter; requests need only meterId."""

    meter_id: str | None = None
    track2_data: str | None = None
    service_type: str | None = None
    supply_group_code: str | None = None
    key_revision_num: str | None = None
    tariff_index: str | None = None
    token_tech_code: str | None = None
    algorithm_code: str | None = None
    key_change_data: KeyChangeData | None = None


class Customer(WireModel):
    """The meter's owner, often partial."""

    first_name: str | None = None
    last_name: str | None = None
    address: str | None = None
    msisdn: str | None = None


class Utility(WireModel):
    """The utility managing the meter's account."""

    name: str | None = None
    address: str | None = None
    vat_reg_num: str | None = None
    client_id: str | None = None
    message: str | None = None


class TariffBlock(WireModel):
    """Units priced at one rate (minor units per unit)."""

    units: WireDecimal | None = None
    rate: WireDecimal | None = None


class Token(WireModel):
    """One issued token; `token` is absent for a smart meter's "Meter updated"."""

    token_type: str | None = None
    units: WireDecimal | None = None
    amount: TaxableAmount | None = None
    receipt_num: str | None = None
    token: str | None = None
    tariff_calc: list[TariffBlock] | None = None


class DebtRecoveryCharge(WireModel):
    """Debt deducted from the purchase amount."""

    amount: TaxableAmount | None = None
    description: str | None = None
    balance: LedgerAmount | None = None
    receipt_num: str | None = None


class ServiceCharge(WireModel):
    """A fee deducted from the purchase amount."""

    amount: TaxableAmount | None = None
    description: str | None = None


class Tender(WireModel):
    """How the customer paid."""

    tender_type: str | None = None
    amount: LedgerAmount | None = None
    account_type: str | None = None
    card_number: str | None = None
    reference: str | None = None


class SlipLine(WireModel):
    """One line of a receipt slip."""

    text: str | None = None


class SlipData(WireModel):
    """Text to print on the customer's receipt."""

    message_lines: list[SlipLine] | None = None
    slip_width: int | None = None
    issuer_reference: str | None = None
