"""Turn v3 response bodies into the domain's frozen values, inventing nothing."""

from __future__ import annotations

import json

from adapters.ppu_v3.to_wire import alpha_currency
from adapters.ppu_v3.wire import common as w
from adapters.ppu_v3.wire import messages as m
from service.domain import provider_results as r
from service.domain.money import Money


def money(amount: w.LedgerAmount | None) -> Money | None:
    """A wire amount as Money; no (or a negative) figure is left out rather than guessed."""
    if amount is None or amount.amount is None or amount.amount < 0:
        return None
    return Money(value=amount.amount, currency=alpha_currency(amount.currency))


def party(institution: w.Institution | None) -> r.Party | None:
    """An institution as a Party when it has an id."""
    if institution is None or institution.id is None:
        return None
    return r.Party(id=institution.id, name=institution.name or "")


def meter(wire: w.Meter | None, fallback: str | None = None) -> r.MeterDetails | None:
    """Meter details as returned; None when neither the answer nor we know the number."""
    number = (wire.meter_id if wire else None) or fallback
    if number is None:
        return None
    wire = wire or w.Meter()
    return r.MeterDetails(
        meter_number=number,
        supply_group_code=wire.supply_group_code,
        key_revision=wire.key_revision_num,
        tariff_index=wire.tariff_index,
        token_tech_code=wire.token_tech_code,
        algorithm_code=wire.algorithm_code,
    )


def customer(wire: w.Customer | None) -> r.CustomerDetails:
    """Customer details, as partial as the provider sent them."""
    wire = wire or w.Customer()
    return r.CustomerDetails(
        first_name=wire.first_name, last_name=wire.last_name, address=wire.address
    )


def utility(wire: w.Utility | None) -> r.UtilityDetails:
    """Utility details as the provider names them."""
    wire = wire or w.Utility()
    return r.UtilityDetails(
        name=wire.name,
        address=wire.address,
        vat_reg_num=wire.vat_reg_num,
        client_id=wire.client_id,
        message=wire.message,
    )


def token(wire: w.Token) -> r.IssuedToken:
    """One token, keeping a missing token number as None (smart meter "Meter updated")."""
    amount = wire.amount
    return r.IssuedToken(
        kind=wire.token_type,
        token=wire.token or None,
        units=wire.units,
        amount=money(amount),
        tax=amount.tax if amount else None,
        tax_rate=amount.tax_rate if amount else None,
        tax_type=amount.tax_type if amount else None,
        receipt_number=wire.receipt_num,
        tariff=None
        if wire.tariff_calc is None
        else tuple(r.TariffStep(units=b.units, rate=b.rate) for b in wire.tariff_calc),
    )


def charge(wire: w.DebtRecoveryCharge | w.ServiceCharge) -> r.Charge:
    """A debt-recovery or service charge."""
    balance = wire.balance if isinstance(wire, w.DebtRecoveryCharge) else None
    receipt = wire.receipt_num if isinstance(wire, w.DebtRecoveryCharge) else None
    return r.Charge(
        description=wire.description,
        amount=money(wire.amount),
        tax=wire.amount.tax if wire.amount else None,
        tax_rate=wire.amount.tax_rate if wire.amount else None,
        tax_type=wire.amount.tax_type if wire.amount else None,
        balance=money(balance),
        receipt_number=receipt,
    )


def refs(wire: list[w.ThirdPartyIdentifier]) -> tuple[r.ThirdPartyRef, ...]:
    """Third-party references exactly as received, for the advices."""
    return tuple(
        r.ThirdPartyRef(institution_id=i.institution_id, transaction_id=i.transaction_identifier)
        for i in wire
        if i.institution_id is not None
    )


def meter_info(wire: m.MeterLookupResponse, meter_number: str) -> r.MeterInfo:
    """A lookup answer."""
    return r.MeterInfo(
        meter=meter(wire.meter, meter_number) or r.MeterDetails(meter_number=meter_number),
        customer=customer(wire.customer),
        utility=utility(wire.utility),
        receiver=party(wire.receiver),
        settlement_entity=party(wire.settlement_entity),
        min_amount=money(wire.min_amount),
        max_amount=money(wire.max_amount),
        arrears=money(wire.arrears_amount),
        free_units_due=wire.bsst_due,
    )


def receipt(wire: m.PurchaseResponse, request_id: str) -> r.PurchaseReceipt:
    """A purchase (retry, trial, reprint) answer, tokens in provider order."""
    lines = wire.slip_data.message_lines if wire.slip_data else None
    return r.PurchaseReceipt(
        request_id=wire.id or request_id,
        meter=meter(wire.meter),
        customer=customer(wire.customer),
        utility=utility(wire.utility),
        receiver=party(wire.receiver),
        settlement_entity=party(wire.settlement_entity),
        utility_type=wire.utility_type,
        tokens=tuple(token(t) for t in wire.tokens),
        debt_recovery=tuple(charge(c) for c in wire.debt_recovery_charges),
        service_charges=tuple(charge(c) for c in wire.service_charges),
        purchase_total=money(wire.purchase_total),
        tax_total=money(wire.tax_total),
        vat_invoice_number=wire.vat_invoice_number,
        third_party_refs=refs(wire.third_party_identifiers),
        slip_lines=tuple(line.text for line in lines or () if line.text is not None),
    )


def fault_receipt(wire: m.FaultReportResponse) -> r.FaultReportReceipt:
    """A fault report answer."""
    return r.FaultReportReceipt(reference=wire.reference, description=wire.description)


def key_change_tokens(wire: m.KeyChangeTokenResponse) -> r.KeyChangeTokens:
    """A key change answer."""
    return r.KeyChangeTokens(meter=meter(wire.meter), tokens=tuple(token(t) for t in wire.tokens))


def error_detail(body: bytes | None) -> r.ErrorDetail | None:
    """Parse an ErrorDetail leniently; an empty or unreadable body gives None."""
    if not body:
        return None
    try:
        wire = m.ErrorDetail.model_validate_json(body)
    except ValueError:
        return None
    detail = wire.detail_message
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail)[:500]
    return r.ErrorDetail(
        error_type=wire.error_type,
        message=wire.error_message,
        request_type=wire.request_type,
        detail=detail,
    )
