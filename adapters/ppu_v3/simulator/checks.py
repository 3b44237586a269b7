"""Request validation as the reference server does it (reference section 4.3)."""

from __future__ import annotations

import re
from typing import Any

from adapters.ppu_v3.simulator.config import Operation

Violations = list[dict[str, Any]]
_METER_ID = re.compile(r"^[a-zA-Z0-9]{0,20}$")
_CURRENCY = re.compile(r"^[0-9]{3}$")
_MERCHANT_TYPE = re.compile(r"[0-9]{4}")
_MERCHANT_NAME_LIMITS = {"name": 23, "city": 13, "region": 2, "country": 2}
_ADVICES = (Operation.CONFIRMATION, Operation.REVERSAL, Operation.KEY_CHANGE_CONFIRMATION)


def _violation(prop: str, fld: str, error: str, value: Any = None) -> dict[str, Any]:
    """One violation in the reference server's shape."""
    return {"messageProperty": prop, "field": fld, "error": error, "invalidValue": value}


def _dict(value: Any) -> dict[str, Any]:
    """A JSON object or an empty one."""
    return value if isinstance(value, dict) else {}


def _institution(prop: str, value: Any, found: Violations) -> None:
    """An institution needs an id and a name of at most 40 characters."""
    inst = _dict(value)
    if inst.get("id") is None:
        found.append(_violation(prop, "id", "may not be null"))
    name = inst.get("name")
    if name is None or len(str(name)) > 40:  # noqa: PLR2004 - the model's limit
        found.append(_violation(prop, "name", "may not be null, size must be <= 40", name))


def _originator(value: Any, found: Violations) -> None:
    """Originator: institution, 8-character terminal id, merchant fields."""
    orig = _dict(value)
    _institution("originator", orig.get("institution"), found)
    terminal = orig.get("terminalId")
    if terminal is None or len(str(terminal)) != 8:  # noqa: PLR2004 - exactly 8
        found.append(
            _violation("originator", "terminalId", "length must be between 8 and 8", terminal)
        )
    merchant = _dict(orig.get("merchant"))
    if not _MERCHANT_TYPE.fullmatch(str(merchant.get("merchantType", ""))):
        found.append(_violation("merchant", "merchantType", "must be 4 digits"))
    if len(str(merchant.get("merchantId", ""))) != 15:  # noqa: PLR2004 - exactly 15
        found.append(_violation("merchant", "merchantId", "length must be between 15 and 15"))
    name = _dict(merchant.get("merchantName"))
    for part, limit in _MERCHANT_NAME_LIMITS.items():
        if name.get(part) is None or len(str(name[part])) > limit:
            found.append(_violation("merchantName", part, f"size must be <= {limit}"))


def _transaction(body: dict[str, Any], found: Violations) -> None:
    """Base fields every Transaction request carries."""
    for key in ("id", "time", "originator", "client"):
        if body.get(key) is None:
            found.append(_violation("message", key, "may not be null"))
    if body.get("originator") is not None:
        _originator(body["originator"], found)
    if body.get("client") is not None:
        _institution("client", body["client"], found)
    for key in ("settlementEntity", "receiver"):
        if body.get(key) is not None:
            _institution(key, body[key], found)
    for entry in body.get("thirdPartyIdentifiers") or []:
        if _dict(entry).get("institutionId") is None:
            found.append(_violation("thirdPartyIdentifiers", "institutionId", "may not be null"))


def _meter_and_amount(op: Operation, body: dict[str, Any], found: Violations) -> None:
    """Meter id pattern; purchase-like requests also need an amount in a 3-digit currency."""
    meter_id = _dict(body.get("meter")).get("meterId")
    if meter_id is None or not _METER_ID.fullmatch(str(meter_id)):
        found.append(_violation("meter", "meterId", "must match [a-zA-Z0-9]{0,20}", meter_id))
    if op in (Operation.PURCHASE, Operation.RETRY, Operation.TRIAL):
        amount = _dict(body.get("purchaseAmount"))
        if not isinstance(amount.get("amount"), int | str) or not str(amount["amount"]).isdigit():
            found.append(_violation("purchaseAmount", "amount", "may not be null"))
        if not _CURRENCY.fullmatch(str(amount.get("currency", ""))):
            found.append(_violation("purchaseAmount", "currency", "must match [0-9]{3}"))
    if op is Operation.FAULT_REPORT:
        for key in ("contactNumber", "faultType"):
            if body.get(key) is None:
                found.append(_violation("message", key, "may not be null"))


def violations(op: Operation, body: dict[str, Any]) -> Violations:
    """Everything wrong with a request body; empty when it is valid."""
    found: Violations = []
    if op in _ADVICES:
        for key in ("id", "requestId", "time"):
            if body.get(key) is None:
                found.append(_violation("message", key, "may not be null"))
        if op is Operation.REVERSAL and body.get("reversalReason") is None:
            found.append(_violation("message", "reversalReason", "may not be null"))
        return found
    if op is Operation.PURCHASE_NOTIFICATION:
        # The body is a PurchaseResponse, sent after the fact: only its id is needed here.
        if body.get("id") is None:
            found.append(_violation("message", "id", "may not be null"))
        return found
    _transaction(body, found)
    _meter_and_amount(op, body, found)
    return found
