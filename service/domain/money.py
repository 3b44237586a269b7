"""Money as integer minor units with an ISO 4217 alphabetic currency."""

from __future__ import annotations

from dataclasses import dataclass

_CURRENCY_LENGTH = 3


@dataclass(frozen=True, kw_only=True)
class Money:
    """A non-negative amount in minor units (cents); zero is a valid amount (rule 10)."""

    value: int
    currency: str

    def __post_init__(self) -> None:
        """Refuse what cannot be money: floats, booleans, negatives, malformed currencies."""
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError("money value must be an integer number of minor units")
        if self.value < 0:
            raise ValueError("money value must not be negative")
        code = self.currency
        well_formed = code.isascii() and code.isalpha() and code.isupper()
        if len(code) != _CURRENCY_LENGTH or not well_formed:
            raise ValueError(f"currency must be an ISO 4217 alphabetic code, got {self.currency!r}")
