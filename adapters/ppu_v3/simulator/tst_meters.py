"""Electrum's reference test meters TST001..TST011 (reference section 4.1), as JSON templates."""

from __future__ import annotations

from typing import Any

ZERO_TOKEN = "0" * 20
ONES_TOKEN = "1" * 20
SLOW_METER = "TST011"

_CUSTOMERS = {
    "TST001": ("Pierre", "De Wet", "21 Dorp Straat", 10000),
    "TST002": ("Siphesihle", "Mwamure", "14 1st Street", 0),
    "TST003": ("Mohamed", "Kaifa", "56 Prentice Road", 10000),
    "TST004": ("Kgosietsile", "Zono", "34 Mota Street", 10000),
    "TST005": ("Ibraheem", "Davids", "7 Adams Street", 5000),
    "TST006": ("Zukile", "Maqoba", "9 Mahlangu Street", 10000),
    "TST007": ("John", "Palmer", "31 Milner Road", 20000),
    "TST008": ("Kgotso", "Phiri", "52 Ntombela Street", 20000),
    "TST009": ("Janine", "Oosthuizen", "301 Kerk Straat", 20000),
    "TST010": ("Peter", "Dyton", "1 Elands Drive", 10000),
    "TST011": ("Ruth", "Cupido", "4 Meyer Street", 10000),
}


def is_tst_meter(meter_id: str) -> bool:
    """Tell whether a meter is one of the eleven test meters."""
    return meter_id in _CUSTOMERS


def tst_amount(meter_id: str) -> int:
    """The exact amount a test meter's purchase must be for (its min and max)."""
    return _CUSTOMERS[meter_id][3]


def _amount(cents: int, tax: int | None = None, rate: float | None = None) -> dict[str, Any]:
    """A TaxableAmount in rand."""
    body: dict[str, Any] = {"amount": cents, "currency": "710"}
    if tax is not None:
        body.update(tax=tax, taxType="VAT", taxRate=rate)
    return body


def _token(kind: str, number: str, receipt: str | None, **extra: Any) -> dict[str, Any]:
    """A token with the reference's standard figures unless overridden."""
    token: dict[str, Any] = {
        "tokenType": kind,
        "units": 73.8,
        "amount": _amount(8600, 1400, 14.0),
        "token": number,
        "tariffCalc": [],
    }
    if receipt is not None:
        token["receiptNum"] = receipt
    token.update(extra)
    return token


def _charge(receipt: str | None = None) -> dict[str, Any]:
    """A charge; the reference misspells `description`, so none arrives."""
    charge: dict[str, Any] = {"amount": _amount(4300, 700, 14.0)}
    if receipt is not None:
        charge.update(balance={"amount": 27300, "currency": "710"}, receiptNum=receipt)
    return charge


def lookup_part(meter_id: str) -> dict[str, Any]:
    """The meter-specific part of a lookup answer."""
    first, last, address, amount = _CUSTOMERS[meter_id]
    return {
        "meter": {
            "meterId": meter_id,
            "supplyGroupCode": "000001",
            "keyRevisionNum": "1",
            "tariffIndex": "01",
            "tokenTechCode": "02",
        },
        "customer": {"firstName": first, "lastName": last, "address": address},
        "utility": {
            "name": "Electrum Test Server",
            "address": "The Cloud",
            "vatRegNum": "0000000000",
            "clientId": "0001",
            "message": "This is a message to the customer",
        },
        "minAmount": {"amount": amount, "currency": "710"},
        "maxAmount": {"amount": amount, "currency": "710"},
    }


def _tokens(meter_id: str) -> list[dict[str, Any]]:
    """The tokens each test meter's purchase returns, in order."""
    n = meter_id[-2:].lstrip("0")
    std = _token("STD", ZERO_TOKEN, f"RCT{n}0001")
    bsst = _token("BSST", ZERO_TOKEN, f"RCT{n}0001", units=50.0, amount=_amount(0, 0, 14.0))
    kc_amount = {"amount": 0}
    return {
        "TST002": [bsst],
        "TST003": [std, {**bsst, "token": ONES_TOKEN, "receiptNum": "RCT30002"}],
        "TST004": [
            {
                **std,
                "token": ONES_TOKEN,
                "tariffCalc": [{"units": 50.0, "rate": 117.30}, {"units": 23.8, "rate": 173.74}],
            }
        ],
        "TST005": [std, _token("REFUND", ONES_TOKEN, None, amount=_amount(10000, 0, 14.0))],
        "TST006": [
            _token("KC", ONES_TOKEN, None, units=0.0, amount=kc_amount),
            _token("KC", "2" * 20, None, units=0.0, amount=kc_amount),
            {**std, "token": "3" * 20},
        ],
        "TST010": [],
        "TST011": [_token("STD", ZERO_TOKEN, "RCT10001")],
    }.get(meter_id, [std])


def purchase_part(meter_id: str) -> dict[str, Any]:
    """The meter-specific part of a purchase (or retry) answer."""
    part = lookup_part(meter_id)
    del part["minAmount"], part["maxAmount"]
    debt = {"TST007": [_charge("RCT70002")], "TST008": [_charge("RCT80002"), _charge("RCT80003")]}
    service = {"TST007": [_charge()], "TST009": [_charge(), _charge()]}
    part.update(
        tokens=_tokens(meter_id),
        debtRecoveryCharges=debt.get(meter_id, []),
        serviceCharges=service.get(meter_id, []),
    )
    if meter_id != "TST010":
        part["utilityType"] = "Electricity"
    return part


def key_change_tokens() -> list[dict[str, Any]]:
    """The two KC tokens the reference returns for a key change request."""
    return _tokens("TST006")[:2]
