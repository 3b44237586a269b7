"""Request, response, advice and error bodies of the v3 operations."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from adapters.ppu_v3.wire.common import (
    Customer,
    DebtRecoveryCharge,
    Institution,
    LedgerAmount,
    Meter,
    Originator,
    ServiceCharge,
    SlipData,
    Tender,
    ThirdPartyIdentifier,
    Token,
    Utility,
    WireModel,
)


class Transaction(WireModel):
    """Base fields of every request and response; a response echoes them."""

    id: str | None = None
    time: str | None = None
    originator: Originator | None = None
    client: Institution | None = None
    settlement_entity: Institution | None = None
    receiver: Institution | None = None
    third_party_identifiers: list[ThirdPartyIdentifier] = Field(default_factory=list)
    slip_data: SlipData | None = None


class MeterLookupRequest(Transaction):
    """Body of createMeterLookup."""

    meter: Meter | None = None


class MeterLookupResponse(Transaction):
    """201 answer to a meter lookup."""

    meter: Meter | None = None
    customer: Customer | None = None
    utility: Utility | None = None
    min_amount: LedgerAmount | None = None
    max_amount: LedgerAmount | None = None
    arrears_amount: LedgerAmount | None = None
    bsst_due: bool | None = None


class PurchaseRequest(Transaction):
    """Body of purchase, retry and trial."""

    meter: Meter | None = None
    purchase_amount: LedgerAmount | None = None
    utility_type: str | None = None
    msisdn: str | None = None
    tenders: list[Tender] | None = None


class PurchaseResponse(Transaction):
    """Answer to purchase, retry, trial and reprint."""

    meter: Meter | None = None
    customer: Customer | None = None
    utility: Utility | None = None
    utility_type: str | None = None
    tokens: list[Token] = Field(default_factory=list)
    debt_recovery_charges: list[DebtRecoveryCharge] = Field(default_factory=list)
    service_charges: list[ServiceCharge] = Field(default_factory=list)
    purchase_total: LedgerAmount | None = None
    tax_total: LedgerAmount | None = None
    vat_invoice_number: str | None = None


class TokenReprintRequest(Transaction):
    """Body of requestTokenReprint."""

    meter: Meter | None = None
    original_ref: str | None = None


class FaultReportRequest(Transaction):
    """Body of createFaultReport; faultType uses CamelCase wire values."""

    meter: Meter | None = None
    customer: Customer | None = None
    contact_number: str | None = None
    fault_type: str | None = None
    fault_description: str | None = None


class FaultReportResponse(Transaction):
    """201 answer to a fault report."""

    reference: str | None = None
    description: str | None = None


class KeyChangeTokenRequest(Transaction):
    """Body of createKeyChangeTokenRequest."""

    meter: Meter | None = None


class KeyChangeTokenResponse(Transaction):
    """201 answer with key change tokens."""

    meter: Meter | None = None
    tokens: list[Token] = Field(default_factory=list)


class BasicAdvice(WireModel):
    """Base of the advices (not a Transaction)."""

    id: str | None = None
    request_id: str | None = None
    time: str | None = None
    third_party_identifiers: list[ThirdPartyIdentifier] = Field(default_factory=list)


class ConfirmationAdvice(BasicAdvice):
    """Body of confirmTokenPurchase."""

    tenders: list[Tender] | None = None


class KeyChangeConfirmation(BasicAdvice):
    """Body of confirmKeyChange: a BasicAdvice with no extra fields (since 3.12)."""


class ReversalAdvice(BasicAdvice):
    """Body of reverseTokenPurchase."""

    reversal_reason: str | None = None


class ErrorDetail(WireModel):
    """Body of a non-2xx answer; real servers break its rules, so everything is optional."""

    error_type: str | None = None
    error_message: str | None = None
    request_type: str | None = None
    id: str | None = None
    original_id: str | None = None
    detail_message: Any = None
