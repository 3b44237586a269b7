"""Customer details exactly as one provider returned them (rule 15): partial, never merged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Customer:
    """Name and address parts; any may be missing."""

    first_name: str | None = None
    last_name: str | None = None
    address: str | None = None

    @property
    def empty(self) -> bool:
        """Tell whether the provider returned nothing about the customer."""
        return not (self.first_name or self.last_name or self.address)


def pick_customer(answers: Mapping[str, Customer], *, provider_order: Sequence[str]) -> Customer:
    """The first non-empty customer in provider order; one provider's, so nothing is combined."""
    ordered = [*provider_order, *sorted(p for p in answers if p not in provider_order)]
    for provider_id in ordered:
        customer = answers.get(provider_id)
        if customer is not None and not customer.empty:
            return customer
    return Customer()
