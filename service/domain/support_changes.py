"""What changed in a meter's support, so the handler can publish `ppu.support.updated`.

Contract v1.1: a change is a new status or a new awaiting-confirmation display. A provider that
answers again with the same status only moves its `last_response_at`, which the lookup outcome and
the console show; publishing that alone would put one event per provider on every routed lookup.
A provider's first entry for a meter is a change (`previous_status` null says "first known").
"""

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
    """Every provider whose status or awaiting-confirmation display changed (not time alone)."""
    changes = []
    for entry in after.providers:
        old = before.support_of(entry.provider_id) if before.knows(entry.provider_id) else None
        awaiting = after.awaiting_confirmation(entry.provider_id)
        was_awaiting = before.awaiting_confirmation(entry.provider_id)
        if old is not None and old.status is entry.status and awaiting == was_awaiting:
            continue
        changes.append(
            SupportChange(
                previous=None if old is None else old.status,
                current=entry,
                awaiting_confirmation=awaiting,
            )
        )
    return tuple(changes)
