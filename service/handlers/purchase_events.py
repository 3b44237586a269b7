"""`ppu.token.issued` and `ppu.purchase.failed`, from the ledger and the provider's receipt."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from schemas.v1.base import Money as WireMoney
from schemas.v1.enums import FailureOutcome, TokenKind
from schemas.v1.parts import Party
from schemas.v1.purchases import ErrorInfo, PurchaseFailed, ReportedVat, Token, TokenIssued, Vat
from service.domain.money import Money
from service.domain.provider_results import PurchaseReceipt
from service.domain.tokens import ProviderToken, vended_tokens
from service.domain.utility import UtilityRef
from service.domain.vat import receipt_vat
from service.handlers.outputs import Outputs
from service.ports.purchases import PurchaseRecord


def _wire(money: Money | None) -> WireMoney | None:
    return None if money is None else WireMoney(value=money.value, currency=money.currency)


def _vat(receipt: PurchaseReceipt, total: Money, *, zero_rated: bool) -> Vat | None:
    taxed = [t for t in receipt.tokens if t.tax_rate is not None]
    provider_rate = taxed[0].tax_rate if taxed else None
    provider_amount = receipt.tax_total
    figures = receipt_vat(
        total=total,
        provider_rate=provider_rate,
        provider_amount=provider_amount,
        zero_rated_receipt=zero_rated,
    )
    if figures is None:
        return None
    return Vat(
        rate=figures.rate,
        amount=WireMoney(value=figures.amount.value, currency=figures.amount.currency),
        provider_reported=ReportedVat(rate=provider_rate, amount=_wire(provider_amount)),
    )


def token_issued(
    outputs: Outputs,
    purchase: PurchaseRecord,
    receipt: PurchaseReceipt,
    *,
    provider_name: str,
    utility: UtilityRef | None,
    zero_rated: bool,
    at: datetime,
) -> TokenIssued:
    """The tokens in the provider's order (rule 10), VAT as really included (rule 12)."""
    currency = purchase.amount.currency
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
    total = receipt.purchase_total or purchase.amount
    return TokenIssued(
        event_id=outputs.new_id(),
        occurred_at=at,
        purchase_id=purchase.purchase_id,
        institution_id=purchase.institution_id,
        meter_number=purchase.meter_number,
        settlement_entity=Party(id=purchase.provider_id or "", name=provider_name),
        receiver=Party(id=utility.id, name=utility.name) if utility else None,
        amount=WireMoney(value=purchase.amount.value, currency=currency),
        tokens=[
            Token(
                token=v.token,
                kind=TokenKind(v.kind.value),
                units=v.units if v.units is None else Decimal(v.units),
                amount=_wire(v.amount),
                tax=_wire(v.tax),
            )
            for v in vended_tokens(raws, currency=currency)
        ],
        vat=_vat(receipt, total, zero_rated=zero_rated),
        issued_at=at,
    )


def purchase_failed(
    outputs: Outputs,
    purchase: PurchaseRecord,
    *,
    outcome: FailureOutcome,
    provider_id: str | None,
    error_type: str,
    message: str,
    at: datetime,
) -> PurchaseFailed:
    """No token, and why."""
    return PurchaseFailed(
        event_id=outputs.new_id(),
        occurred_at=at,
        purchase_id=purchase.purchase_id,
        institution_id=purchase.institution_id,
        meter_number=purchase.meter_number,
        outcome=outcome,
        provider_id=provider_id,
        error=ErrorInfo(type=error_type, message=message),
    )
