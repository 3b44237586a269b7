"""VAT really included in a purchase (rule 12), never invented where unknown (rule 15).

Eskom receipts show 0% VAT although the amount includes 15%: for such a utility the switch
reports rate 15 and amount = total x 15/115, rounded half-up to the cent, beside the provider's
raw figures. Other receipts carry the provider's own figures, or no VAT when it gave none.
A provider that sends tax on each token but no total (contract v1.1) gets the tokens' sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from service.domain.money import Money

STANDARD_VAT_RATE = Decimal(15)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, kw_only=True)
class VatFigures:
    """The VAT the event carries, and what the provider reported."""

    rate: Decimal
    amount: Money
    provider_rate: Decimal | None = None
    provider_amount: Money | None = None


def included_vat(total_minor: int, rate: Decimal = STANDARD_VAT_RATE) -> int:
    """VAT inside a VAT-inclusive total, in minor units, rounded half-up: total x r/(100+r)."""
    exact = Decimal(total_minor) * rate / (_HUNDRED + rate)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def receipt_vat(
    *,
    total: Money,
    provider_rate: Decimal | None,
    provider_amount: Money | None,
    zero_rated_receipt: bool,
    token_tax: Money | None = None,
) -> VatFigures | None:
    """The VAT to publish; `zero_rated_receipt` marks utilities like Eskom (0% on the receipt).

    `provider_amount` is the provider's total tax; `token_tax` the sum of its per-token tax,
    used only when no total came.
    """
    stated = provider_amount if provider_amount is not None else token_tax
    reported_nothing = stated is None or stated.value == 0
    if zero_rated_receipt and reported_nothing:
        amount = Money(value=included_vat(total.value), currency=total.currency)
        return VatFigures(
            rate=STANDARD_VAT_RATE,
            amount=amount,
            provider_rate=provider_rate,
            provider_amount=provider_amount,
        )
    if provider_rate is None or stated is None:
        return None
    return VatFigures(
        rate=provider_rate,
        amount=stated,
        provider_rate=provider_rate,
        provider_amount=provider_amount,
    )
