"""Support status per (meter, provider), when the provider last answered, and the meter's flag.

Rule 1: SUPPORTED, NOT_SUPPORTED or UNCONFIRMED with the time of the last response; a provider
that has not answered since the last broadcast (or never) is *awaiting confirmation*.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class SupportStatus(StrEnum):
    """What the provider's last definite answer said about the meter."""

    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    UNCONFIRMED = "UNCONFIRMED"


@dataclass(frozen=True, kw_only=True)
class ProviderSupport:
    """One provider's support for one meter."""

    provider_id: str
    status: SupportStatus = SupportStatus.UNCONFIRMED
    last_response_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RebroadcastFlag:
    """An operator's "Confirm support" mark: who, when and why (rule 5)."""

    requested_by: str
    requested_at: datetime
    reason: str | None = None


def is_awaiting_confirmation(
    *, last_response_at: datetime | None, last_broadcast_at: datetime | None
) -> bool:
    """Tell whether a provider has not answered since the last broadcast, or never (rule 1)."""
    if last_response_at is None:
        return True
    return last_broadcast_at is not None and last_response_at < last_broadcast_at


@dataclass(frozen=True, kw_only=True)
class MeterSupport:
    """Everything the switch knows about which providers serve one meter."""

    meter_number: str
    providers: tuple[ProviderSupport, ...] = ()
    utility_id: str | None = None
    last_broadcast_at: datetime | None = None
    flag: RebroadcastFlag | None = None

    def support_of(self, provider_id: str) -> ProviderSupport:
        """The provider's support; a provider never heard of is UNCONFIRMED with no response."""
        for entry in self.providers:
            if entry.provider_id == provider_id:
                return entry
        return ProviderSupport(provider_id=provider_id)

    def knows(self, provider_id: str) -> bool:
        """Tell whether the provider has a recorded entry for this meter."""
        return any(entry.provider_id == provider_id for entry in self.providers)

    def awaiting_confirmation(self, provider_id: str) -> bool:
        """Tell whether the provider shows *Awaiting confirmation* for this meter."""
        return is_awaiting_confirmation(
            last_response_at=self.support_of(provider_id).last_response_at,
            last_broadcast_at=self.last_broadcast_at,
        )

    def statuses(self) -> dict[str, SupportStatus]:
        """Provider id to status, for routing."""
        return {entry.provider_id: entry.status for entry in self.providers}

    def with_support(self, support: ProviderSupport) -> MeterSupport:
        """A copy with one provider's entry replaced or added, entries kept sorted by id."""
        others = [e for e in self.providers if e.provider_id != support.provider_id]
        ordered = tuple(sorted([*others, support], key=lambda e: e.provider_id))
        return replace(self, providers=ordered)
