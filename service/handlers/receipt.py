"""The full receipt on `ppu.token.issued` (contract v1.1): exactly what the provider sent.

Tokens keep the provider's order (rule 10) and gain its tax type, rate, receipt number and
tariff blocks; charges keep theirs; the provider's raw tax figures sit beside the VAT the switch
publishes (rule 12). Nothing is invented: what the provider did not send stays null (rule 15),
and a figure it sent as 0 stays 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from schemas.v1.base import Money as WireMoney
from schemas.v1.enums import ChargeKind, TokenKind
from schemas.v1.purchases import Charge, ReportedVat, TariffBlock, Token, Vat
from service.domain.money import Money
from service.domain.provider_results import Charge as ProviderCharge
from service.domain.provider_results import IssuedToken, PurchaseReceipt, TariffStep
from service.domain.tokens import ProviderToken, vended_tokens
from service.domain.vat import receipt_vat

T = TypeVar("T")


def wire_money(money: Money | None) -> WireMoney | None:
    """Domain money as the contract's, None kept."""
    return None if money is None else WireMoney(value=money.value, currency=money.currency)


def _minor(value: int | None, currency: str) -> WireMoney | None:
    """A provider's minor-unit figure in the purchase currency; a negative one is not money."""
    if value is None or value < 0:
        return None
    return WireMoney(value=value, currency=currency)


def _blocks(steps: tuple[TariffStep, ...] | None) -> list[TariffBlock] | None:
    if steps is None:
        return None
    return [TariffBlock(units=s.units, rate=s.rate) for s in steps]


def tokens(receipt: PurchaseReceipt, *, currency: str) -> list[Token]:
    """Every token in the provider's order, with its own receipt figures."""
    raws = [
        ProviderToken(
            token=t.token,
            token_type=t.kind,
            units=t.units,
            value=t.amount.value if t.amount else None,
            tax=t.tax,
        )
        for t in receipt.tokens
    ]
    vended = vended_tokens(raws, currency=currency)
    return [
        Token(
            token=v.token,
            kind=TokenKind(v.kind.value),
            units=v.units if v.units is None else Decimal(v.units),
            amount=wire_money(v.amount),
            tax=wire_money(v.tax),
            tax_type=raw.tax_type,
            tax_rate=raw.tax_rate,
            receipt_number=raw.receipt_number,
            tariff_blocks=_blocks(raw.tariff),
        )
        for v, raw in zip(vended, receipt.tokens, strict=True)
    ]


def _charge(kind: ChargeKind, charge: ProviderCharge, currency: str) -> Charge:
    return Charge(
        kind=kind,
        description=charge.description,
        amount=wire_money(charge.amount),
        tax=_minor(charge.tax, currency),
        tax_type=charge.tax_type,
        tax_rate=charge.tax_rate,
        balance=wire_money(charge.balance),
        receipt_number=charge.receipt_number,
    )


def charges(receipt: PurchaseReceipt, *, currency: str) -> list[Charge]:
    """Debt recovery charges, then service charges, each list in the provider's order."""
    return [
        *(_charge(ChargeKind.DEBT_RECOVERY, c, currency) for c in receipt.debt_recovery),
        *(_charge(ChargeKind.SERVICE, c, currency) for c in receipt.service_charges),
    ]


def _first(values: Sequence[T | None]) -> T | None:
    return next((v for v in values if v is not None), None)


def token_tax(issued: Sequence[IssuedToken], *, currency: str) -> Money | None:
    """The sum of the tokens' tax; None when no token carried a tax figure."""
    taxes = [t.tax for t in issued if t.tax is not None and t.tax >= 0]
    return Money(value=sum(taxes), currency=currency) if taxes else None


def vat(receipt: PurchaseReceipt, total: Money, *, zero_rated: bool) -> Vat | None:
    """VAT really included (rule 12), from the total, or the tokens' tax when no total came."""
    currency = total.currency
    rate = _first([t.tax_rate for t in receipt.tokens])
    per_token = token_tax(receipt.tokens, currency=currency)
    figures = receipt_vat(
        total=total,
        provider_rate=rate,
        provider_amount=receipt.tax_total,
        zero_rated_receipt=zero_rated,
        token_tax=per_token,
    )
    if figures is None:
        return None
    return Vat(
        rate=figures.rate,
        amount=WireMoney(value=figures.amount.value, currency=figures.amount.currency),
        provider_reported=ReportedVat(
            rate=rate,
            amount=wire_money(receipt.tax_total),
            tax_type=_first([t.tax_type for t in receipt.tokens]),
            token_tax=wire_money(per_token),
        ),
    )
