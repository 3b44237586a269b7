"""Bodies of the optional operations: reprint, fault report, key change, notification."""

from __future__ import annotations

from adapters.ppu_v3.settings import OriginatorSettings
from adapters.ppu_v3.to_wire import (
    numeric_currency,
    transaction_base,
    wire_amount,
    wire_meter_id,
    wire_refs,
    wire_time,
)
from adapters.ppu_v3.wire import common as w
from adapters.ppu_v3.wire import messages as m
from service.domain import provider_results as r
from service.ports import provider as port


def reprint_body(
    request: port.ReprintRequest, *, ours: OriginatorSettings
) -> m.TokenReprintRequest:
    """A reprint body; no original_ref asks for the meter's last token."""
    base = transaction_base(
        wire_id=request.reprint_id,
        moment=request.requested_at,
        institution_id=request.institution_id,
        ours=ours,
        ref=request.reprint_id,
    )
    return m.TokenReprintRequest.model_validate(
        {
            **base,
            "meter": w.Meter(meter_id=wire_meter_id(request.meter_number)),
            "original_ref": request.original_ref,
        }
    )


def fault_report_body(
    report: port.FaultReport, *, ours: OriginatorSettings
) -> m.FaultReportRequest:
    """A fault report body."""
    base = transaction_base(
        wire_id=report.report_id,
        moment=report.requested_at,
        institution_id=report.institution_id,
        ours=ours,
        ref=report.report_id,
    )
    return m.FaultReportRequest.model_validate(
        {
            **base,
            "meter": w.Meter(meter_id=wire_meter_id(report.meter_number)),
            "contact_number": report.contact_number,
            "fault_type": report.fault_type,
            "fault_description": report.description,
        }
    )


def key_change_body(
    request: port.KeyChangeRequest, *, ours: OriginatorSettings
) -> m.KeyChangeTokenRequest:
    """A key change token request body."""
    base = transaction_base(
        wire_id=request.request_id,
        moment=request.requested_at,
        institution_id=request.institution_id,
        ours=ours,
        ref=request.request_id,
    )
    return m.KeyChangeTokenRequest.model_validate(
        {**base, "meter": w.Meter(meter_id=wire_meter_id(request.meter_number))}
    )


def key_change_confirmation_body(
    confirmation: port.KeyChangeConfirmation,
) -> m.KeyChangeConfirmation:
    """A key change confirmation advice: its own id, the key change request's id."""
    return m.KeyChangeConfirmation(
        id=confirmation.confirmation_id,
        request_id=confirmation.request_id,
        time=wire_time(confirmation.confirmed_at),
        third_party_identifiers=wire_refs(confirmation.third_party_refs),
    )


def _wire_token(token: r.IssuedToken, currency: str) -> w.Token:
    """A token as the provider gave it, for the notification's PurchaseResponse body."""
    amount = None
    if token.amount is not None or token.tax is not None:
        amount = w.TaxableAmount(
            amount=token.amount.value if token.amount else None,
            currency=numeric_currency(token.amount.currency if token.amount else currency),
            tax=token.tax,
            tax_type=token.tax_type,
            tax_rate=token.tax_rate,
        )
    return w.Token(
        token_type=token.kind,
        units=token.units,
        amount=amount,
        receipt_num=token.receipt_number,
        token=token.token,
    )


def notification_body(
    notification: port.PurchaseNotification, *, ours: OriginatorSettings
) -> m.PurchaseResponse:
    """notifyTokenPurchase's body: a PurchaseResponse naming the purchase and what was issued."""
    base = transaction_base(
        wire_id=notification.notification_id,
        moment=notification.notified_at,
        institution_id=notification.institution_id,
        ours=ours,
        ref=notification.purchase_id,
    )
    receipt = notification.receipt
    currency = notification.amount.currency
    return m.PurchaseResponse.model_validate(
        {
            **base,
            "third_party_identifiers": [
                *base["third_party_identifiers"],  # type: ignore[misc]
                *wire_refs(receipt.third_party_refs),
            ],
            "meter": w.Meter(meter_id=wire_meter_id(notification.meter_number)),
            "tokens": [_wire_token(t, currency) for t in receipt.tokens],
            "purchase_total": wire_amount(receipt.purchase_total or notification.amount),
            "vat_invoice_number": receipt.vat_invoice_number,
        }
    )
