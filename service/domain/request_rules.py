"""Field rules of lookup and purchase requests, past what the contract's schema checks (rule 20).

A request that breaks one is answered INVALID with a reason naming the field, never sent to a
provider and never retried. Meter numbers keep any shape (rule 4's "never judge the shape"),
but once spaces and dashes are gone only ASCII letters and digits may remain: a control
character, an emoji or a NUL byte is no meter number any provider could serve.
"""

from __future__ import annotations

from collections.abc import Collection

from service.domain.meter_number import InvalidMeterNumberError, normalise_meter_number

MAX_AMOUNT = 2**63 - 1
"""The largest amount (minor units) the ledger stores: PostgreSQL's bigint."""


def _letters_and_digits(text: str) -> bool:
    return text.isascii() and text.isalnum()


def meter_number_problem(raw: str) -> tuple[str | None, str | None]:
    """(the normalised meter number, None), or (None, why it cannot be one)."""
    try:
        normalised = normalise_meter_number(raw)
    except InvalidMeterNumberError:
        return None, "meter_number: empty"
    if not _letters_and_digits(normalised):
        return None, (
            "meter_number: only ASCII letters and digits may remain once spaces and dashes"
            " are removed"
        )
    return normalised, None


def amount_problem(value: int, currency: str, *, accepted: Collection[str]) -> str | None:
    """Why the amount cannot be sold, or None (0 is valid: free units, rule 10)."""
    if value < 0:
        return "amount.value: must not be negative"
    if value > MAX_AMOUNT:
        return f"amount.value: more than the largest amount the switch stores ({MAX_AMOUNT})"
    if currency not in accepted:
        return f"amount.currency: {currency} is not a currency this switch accepts"
    return None
