"""How a configured (non-test) utility answers: meter details, amounts, tokens and VAT."""

from __future__ import annotations

import hashlib
from typing import Any

from adapters.ppu_v3.simulator.config import UtilityCoverage

VAT_RATE = 15
METER_UPDATED = "Meter updated"


def token_number(purchase_id: str, index: int) -> str:
    """A deterministic 20-digit token number for the n-th token of a purchase."""
    digest = hashlib.sha256(f"{purchase_id}:{index}".encode()).hexdigest()
    return f"{int(digest, 16) % 10**20:020d}"


def lookup_part(utility: UtilityCoverage, meter_id: str, *, free_due: bool) -> dict[str, Any]:
    """The meter-specific part of a lookup answer; customers are synthetic, never real."""
    part: dict[str, Any] = {
        "meter": meter_details(utility, meter_id),
        "customer": {"firstName": "Sim", "lastName": f"Customer {meter_id[-4:]}"},
        "utility": utility_details(utility),
        "receiver": {"id": utility.utility_id, "name": utility.name},
        "bsstDue": free_due and utility.free_units > 0,
    }
    if utility.amount_limits:
        part["minAmount"] = {"amount": utility.min_amount, "currency": "710"}
        part["maxAmount"] = {"amount": utility.max_amount, "currency": "710"}
    if utility.arrears is not None:
        part["arrearsAmount"] = {"amount": utility.arrears, "currency": "710"}
    return part


def meter_details(utility: UtilityCoverage, meter_id: str) -> dict[str, Any]:
    """The STS details the utility holds for a meter."""
    return {
        "meterId": meter_id,
        "supplyGroupCode": utility.supply_group_code,
        "keyRevisionNum": "1",
        "tariffIndex": "01",
        "tokenTechCode": "02",
        "algorithmCode": "07",
    }


def utility_details(utility: UtilityCoverage) -> dict[str, Any]:
    """The utility as this provider names it."""
    details: dict[str, Any] = {"name": utility.name, "clientId": utility.utility_id}
    if utility.vat_reg_num:
        details["vatRegNum"] = utility.vat_reg_num
    return details


def _paid_token(
    utility: UtilityCoverage, cents: int, *, number: str | None, receipt: str
) -> dict[str, Any]:
    """A paid STD token; Eskom-style receipts show the VAT-inclusive total at 0 %."""
    excl = round(cents * 100 / (100 + VAT_RATE))
    if utility.eskom_vat:
        amount = {"amount": cents, "currency": "710", "tax": 0, "taxType": "VAT", "taxRate": 0.0}
    else:
        amount = {
            "amount": excl,
            "currency": "710",
            "tax": cents - excl,
            "taxType": "VAT",
            "taxRate": float(VAT_RATE),
        }
    units = round(excl / utility.rate_cents_per_unit, 1)
    token: dict[str, Any] = {
        "tokenType": "STD",
        "units": units,
        "amount": amount,
        "receiptNum": receipt,
    }
    if number is not None:
        token["token"] = number
    if utility.tariff_blocks:
        token["tariffCalc"] = tariff_calc(units, utility.rate_cents_per_unit)
    return token


def tariff_calc(units: float, rate: float) -> list[dict[str, float]]:
    """An inclining block tariff: the first 50 units at 80% of the rate, the rest at 120%."""
    first = min(units, 50.0)
    blocks = [{"units": first, "rate": round(rate * 0.8, 2)}]
    if units > first:
        blocks.append({"units": round(units - first, 1), "rate": round(rate * 1.2, 2)})
    return blocks


def _split(cents: int, parts: int) -> list[int]:
    """Split an amount into parts, the remainder on the last."""
    share = cents // parts
    return [share] * (parts - 1) + [cents - share * (parts - 1)]


def tokens(
    utility: UtilityCoverage, meter_id: str, *, purchase_id: str, cents: int, free_due: bool
) -> list[dict[str, Any]]:
    """Tokens in the order a provider returns them: the month's free token first."""
    issued: list[dict[str, Any]] = []
    smart = meter_id in utility.meter_updated
    if free_due and utility.free_units > 0:
        issued.append(
            {
                "tokenType": "BSST",
                "units": utility.free_units,
                "amount": {"amount": 0, "currency": "710", "tax": 0},
                "receiptNum": f"FBE-{purchase_id[:8]}",
                **({} if smart else {"token": token_number(purchase_id, 0)}),
            }
        )
    if cents > 0:
        for index, part in enumerate(_split(cents, utility.tokens_per_purchase), start=1):
            number = None if smart else token_number(purchase_id, index)
            receipt = f"{utility.utility_id}-{purchase_id[:8]}-{index}"
            issued.append(_paid_token(utility, part, number=number, receipt=receipt))
    return issued


def purchase_part(
    utility: UtilityCoverage, meter_id: str, *, purchase_id: str, cents: int, free_due: bool
) -> dict[str, Any]:
    """The meter-specific part of a purchase answer."""
    issued = tokens(utility, meter_id, purchase_id=purchase_id, cents=cents, free_due=free_due)
    part: dict[str, Any] = {
        "meter": meter_details(utility, meter_id),
        "customer": {"firstName": "Sim", "lastName": f"Customer {meter_id[-4:]}"},
        "utility": utility_details(utility),
        "receiver": {"id": utility.utility_id, "name": utility.name},
        "utilityType": "Electricity",
        "tokens": issued,
        "debtRecoveryCharges": [],
        "serviceCharges": [],
        "purchaseTotal": {"amount": sum(t["amount"]["amount"] for t in issued), "currency": "710"},
    }
    if utility.tax_total:
        tax = sum(t["amount"].get("tax", 0) for t in issued)
        part["taxTotal"] = {"amount": tax, "currency": "710"}
    if utility.vat_invoice_number:
        part["vatInvoiceNumber"] = f"INV-{purchase_id[:8]}"
    if meter_id in utility.meter_updated:
        part["slipData"] = {"messageLines": [{"text": METER_UPDATED}], "slipWidth": 0}
    return part
