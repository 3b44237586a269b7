"""Meter number normalisation: trim, drop spaces and dashes, never judge the shape."""

from __future__ import annotations

# Hyphen look-alikes arrive from copy-pasted receipts; they separate digit groups like "-".
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")


class InvalidMeterNumberError(ValueError):
    """The meter number is empty once normalised; the lookup or purchase is INVALID."""


def normalise_meter_number(raw: str) -> str:
    """The meter number without whitespace or dashes; raise when nothing is left.

    Case and every other character are kept: meter numbers vary in length and are not always
    STS, so a shape check would refuse meters that a provider serves.
    """
    kept = "".join(ch for ch in raw if not ch.isspace() and ch not in _DASHES)
    if not kept:
        raise InvalidMeterNumberError("meter number is empty")
    return kept
