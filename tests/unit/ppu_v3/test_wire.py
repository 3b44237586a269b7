"""Wire models parse the reference's examples leniently and serialise as the wire wants."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from adapters.ppu_v3 import from_wire, to_wire
from adapters.ppu_v3.settings import OriginatorSettings
from adapters.ppu_v3.wire import messages as m
from adapters.ppu_v3.wire.common import LedgerAmount
from service.domain.money import Money
from service.ports.provider import LookupRequest, PurchaseRequest

LOOKUP_RESPONSE = """{
  "id": "3f1c2a7e-9b4d-4c1e-8f6a-2d5b7c9e0a14", "time": "2025-03-14T09:26:53.589Z",
  "originator": {"institution": {"id": "270001", "name": "Corner Shop Group"},
    "terminalId": "T0000042", "merchant": {"merchantType": "5411",
    "merchantId": "000000000012345", "merchantName": {"name": "Corner Shop Rondebosch",
    "city": "Cape Town", "region": "WC", "country": "ZA"}}},
  "client": {"id": "270000", "name": "PPU Switch"},
  "settlementEntity": {"id": "90001", "name": "Example Provider"},
  "receiver": {"id": "EXM01", "name": "Example Municipality"},
  "thirdPartyIdentifiers": [{"institutionId": "270001", "transactionIdentifier": "POS-000123"},
    {"institutionId": "90001", "transactionIdentifier": "EP-77120"}],
  "meter": {"meterId": "01234567890", "serviceType": "Electricity", "supplyGroupCode": "600123",
    "keyRevisionNum": "1", "tariffIndex": "01", "tokenTechCode": "02", "algorithmCode": "07"},
  "customer": {"firstName": "Thandi", "lastName": "Mokoena", "address": "12 Acacia Avenue"},
  "utility": {"name": "Example Municipality", "vatRegNum": "4123456789", "clientId": "EXM01"},
  "minAmount": {"amount": 500, "currency": "710"},
  "maxAmount": {"amount": 300000, "currency": "710"},
  "arrearsAmount": {"amount": 12500, "currency": "710"}, "bsstDue": true
}"""

PURCHASE_RESPONSE = """{
  "id": "9a6e0c52-1d3b-4f7a-b2c8-5e4d3f2a1b09", "time": "2025-03-14T09:27:40.112Z",
  "settlementEntity": {"id": "90001", "name": "Example Provider"},
  "receiver": {"id": "EXM01", "name": "Example Municipality"},
  "thirdPartyIdentifiers": [{"institutionId": "90001", "transactionIdentifier": "EP-77121"}],
  "meter": {"meterId": "01234567890"}, "utilityType": "Electricity",
  "tokens": [
    {"tokenType": "STD", "units": 28.3, "amount": {"amount": 7196, "currency": "710", "tax": 1079,
      "taxType": "VAT", "taxRate": 15.0}, "receiptNum": "EXM-551230",
      "token": "12345678901234567890",
      "tariffCalc": [{"units": 25.0, "rate": 250.00}, {"units": 3.3, "rate": 286.67}]},
    {"tokenType": "BSST", "units": 50.0, "amount": {"amount": 0, "currency": "710", "tax": 0},
      "receiptNum": "EXM-551231", "token": "09876543210987654321"},
    {"tokenType": "KC", "units": 0, "amount": {"amount": 0}}
  ],
  "debtRecoveryCharges": [{"amount": {"amount": 1000, "currency": "710", "tax": 150},
    "description": "Municipal rates arrears", "balance": {"amount": 11350, "currency": "710"},
    "receiptNum": "EXM-551229"}],
  "serviceCharges": [{"amount": {"amount": 500, "currency": "710", "tax": 75}}],
  "purchaseTotal": {"amount": 7196, "currency": "710"},
  "taxTotal": {"amount": 1304, "currency": "710"}, "vatInvoiceNumber": "INV-2025-000981",
  "someFieldFromTheFuture": {"ignored": true}
}"""


def test_lookup_response_example_parses() -> None:
    """The reference's lookup answer becomes a MeterInfo with rand amounts."""
    wire = m.MeterLookupResponse.model_validate_json(LOOKUP_RESPONSE)
    info = from_wire.meter_info(wire, "01234567890")
    assert info.meter.supply_group_code == "600123"
    assert info.customer.last_name == "Mokoena"
    assert info.receiver is not None
    assert info.receiver.id == "EXM01"
    assert info.min_amount == Money(value=500, currency="ZAR")
    assert info.arrears == Money(value=12500, currency="ZAR")
    assert info.free_units_due is True


def test_purchase_response_example_keeps_token_order_and_gaps() -> None:
    """Tokens keep provider order; missing token numbers and currencies are tolerated."""
    wire = m.PurchaseResponse.model_validate_json(PURCHASE_RESPONSE)
    receipt = from_wire.receipt(wire, "fallback")
    assert [t.kind for t in receipt.tokens] == ["STD", "BSST", "KC"]
    assert receipt.tokens[0].units == Decimal("28.3")
    assert receipt.tokens[0].tax == 1079
    assert receipt.tokens[2].token is None
    assert receipt.tokens[2].amount == Money(value=0, currency="ZAR")
    assert receipt.debt_recovery[0].balance == Money(value=11350, currency="ZAR")
    assert receipt.service_charges[0].description is None
    assert receipt.vat_invoice_number == "INV-2025-000981"
    assert receipt.third_party_refs[0].transaction_id == "EP-77121"


def test_numbers_and_strings_are_accepted_leniently() -> None:
    """As Jackson does: digit strings for integers, numbers for strings."""
    amount = LedgerAmount.model_validate({"amount": "10000", "currency": 710})
    assert amount.amount == 10000
    assert amount.currency == "710"


def test_error_detail_parses_leniently() -> None:
    """Object detail, missing fields and junk bodies never raise."""
    detail = from_wire.error_detail(b'{"errorType": "FORMAT_ERROR", "detailMessage": [{"a": 1}]}')
    assert detail is not None
    assert detail.error_type == "FORMAT_ERROR"
    assert detail.detail == '[{"a": 1}]'
    assert from_wire.error_detail(b"") is None
    assert from_wire.error_detail(b"<html>") is None
    assert from_wire.error_detail(b"[1, 2]") is None


def test_purchase_body_is_camel_case_with_numeric_currency() -> None:
    """Our request value becomes the reference's purchase body; path id equals body id."""
    request = PurchaseRequest(
        purchase_id="p-1",
        institution_id="270001",
        meter_number="0123-456 7890",
        amount=Money(value=10000, currency="ZAR"),
        requested_at=datetime(2025, 3, 14, 9, 27, 40, 112000, tzinfo=UTC),
    )
    body = to_wire.purchase_body(request, ours=OriginatorSettings()).to_wire()
    assert body["id"] == "p-1"
    assert body["time"] == "2025-03-14T09:27:40.112Z"
    assert body["meter"] == {"meterId": "01234567890"}
    assert body["purchaseAmount"] == {"amount": 10000, "currency": "710"}
    assert body["originator"]["terminalId"] == "PPUSWTCH"
    assert body["thirdPartyIdentifiers"][0]["transactionIdentifier"] == "p-1"
    assert to_wire.purchase_body(request, ours=OriginatorSettings()).to_wire() == body


def test_lookup_body_uses_the_wire_id_and_carries_our_lookup_id() -> None:
    """A lookup's wire id is per attempt; our lookup id travels as our reference."""
    request = LookupRequest(
        lookup_id="L-9",
        institution_id="270001",
        meter_number="TST001",
        requested_at=datetime.now(UTC),
    )
    body = to_wire.lookup_body(request, wire_id="w-1", ours=OriginatorSettings()).to_wire()
    assert body["id"] == "w-1"
    assert body["thirdPartyIdentifiers"] == [
        {"institutionId": "270000", "transactionIdentifier": "L-9"}
    ]


def test_decimals_serialise_as_json_numbers() -> None:
    """Units and rates are numbers on the wire, not strings."""
    wire = m.PurchaseResponse.model_validate_json(PURCHASE_RESPONSE)
    text = json.dumps(wire.to_wire())
    assert '"units": 28.3' in text
    assert '"taxRate": 15.0' in text


def test_currency_mapping() -> None:
    """ZAR is 710 both ways; a missing code is rand, an unmapped one is XXX."""
    assert to_wire.numeric_currency("ZAR") == "710"
    assert to_wire.alpha_currency("710") == "ZAR"
    assert to_wire.alpha_currency(None) == "ZAR"
    assert to_wire.alpha_currency("999") == "XXX"
