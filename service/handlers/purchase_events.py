"""`ppu.token.issued` and `ppu.purchase.failed`, from the ledger and the provider's receipt."""

from __future__ import annotations

from datetime import datetime

from schemas.v1.base import Money as WireMoney
from schemas.v1.enums import FailureOutcome
from schemas.v1.parts import Party
from schemas.v1.purchases import ErrorInfo, PurchaseFailed, TokenIssued
from service.domain.provider_results import PurchaseReceipt
from service.domain.utility import UtilityRef
from service.handlers import receipt as full
from service.handlers.outputs import Outputs
from service.ports.purchases import PurchaseRecord


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
    """The tokens in the provider's order (rule 10), VAT as really included (rule 12).

    With the full receipt of contract v1.1: charges, receipt numbers and the raw tax figures.
    """
    currency = purchase.amount.currency
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
        tokens=full.tokens(receipt, currency=currency),
        vat=full.vat(receipt, total, zero_rated=zero_rated),
        issued_at=at,
        charges=full.charges(receipt, currency=currency),
        vat_invoice_number=receipt.vat_invoice_number,
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
