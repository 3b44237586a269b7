"""Tokens as the switch publishes them (rules 10, 11 and 15).

Order is the provider's, always (free + purchased tokens; the provider cannot always tell them
apart). A "Meter updated" smart-meter top-up has no token number: `token` None and kind
METER_UPDATED. What the provider did not say (type, units, value) stays None, never invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from service.domain.money import Money


class TokenKind(StrEnum):
    """What a token is, as far as the provider said."""

    STANDARD = "STANDARD"
    FREE_BASIC = "FREE_BASIC"
    KEY_CHANGE = "KEY_CHANGE"
    REFUND = "REFUND"
    POWER_LIMIT = "POWER_LIMIT"
    METER_UPDATED = "METER_UPDATED"
    UNSPECIFIED = "UNSPECIFIED"


_PROVIDER_TYPES = {
    "STD": TokenKind.STANDARD,
    "BSST": TokenKind.FREE_BASIC,
    "KC": TokenKind.KEY_CHANGE,
    "REFUND": TokenKind.REFUND,
    "PWRLMT": TokenKind.POWER_LIMIT,
}
_METER_UPDATED = "meter updated"


@dataclass(frozen=True, kw_only=True)
class ProviderToken:
    """One token as a provider returned it; every part may be missing."""

    token: str | None = None
    token_type: str | None = None
    units: Decimal | None = None
    value: int | None = None
    tax: int | None = None


@dataclass(frozen=True, kw_only=True)
class VendedToken:
    """One token for `ppu.token.issued`."""

    token: str | None
    kind: TokenKind
    units: Decimal | None = None
    amount: Money | None = None
    tax: Money | None = None


def _token_number(raw: str | None) -> str | None:
    if raw is None or not raw.strip() or raw.strip().casefold() == _METER_UPDATED:
        return None
    return raw.strip()


def vended_token(raw: ProviderToken, *, currency: str) -> VendedToken:
    """Translate one provider token; no number means the meter was updated directly (rule 11)."""
    number = _token_number(raw.token)
    if number is None:
        kind = TokenKind.METER_UPDATED
    else:
        kind = _PROVIDER_TYPES.get((raw.token_type or "").upper(), TokenKind.UNSPECIFIED)
    return VendedToken(
        token=number,
        kind=kind,
        units=raw.units,
        amount=None if raw.value is None else Money(value=raw.value, currency=currency),
        tax=None if raw.tax is None else Money(value=raw.tax, currency=currency),
    )


def vended_tokens(raws: Sequence[ProviderToken], *, currency: str) -> tuple[VendedToken, ...]:
    """Translate every token, keeping the provider's order exactly (rule 10)."""
    return tuple(vended_token(raw, currency=currency) for raw in raws)
