"""What changed in a meter's support, so the handler can publish `ppu.support.updated`."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.support import MeterSupport, ProviderSupport, SupportStatus


@dataclass(frozen=True, kw_only=True)
class SupportChange:
    """One provider's support before and after; `previous` is None for a first entry."""

    previous: SupportStatus | None
    current: ProviderSupport
    awaiting_confirmation: bool


def diff_support(before: MeterSupport, after: MeterSupport) -> tuple[SupportChange, ...]:
    """Every provider whose status, last response or awaiting-confirmation display changed."""
    changes = []
    for entry in after.providers:
        old = before.support_of(entry.provider_id) if before.knows(entry.provider_id) else None
        awaiting = after.awaiting_confirmation(entry.provider_id)
        was_awaiting = before.awaiting_confirmation(entry.provider_id)
        if old is not None and old == entry and awaiting == was_awaiting:
            continue
        changes.append(
            SupportChange(
                previous=None if old is None else old.status,
                current=entry,
                awaiting_confirmation=awaiting,
            )
        )
    return tuple(changes)
