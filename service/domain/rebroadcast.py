"""MARK: an operator asks for a support re-check of one meter (rule 5, "Confirm support").

Every provider that has not explicitly confirmed support becomes UNCONFIRMED; SUPPORTED stays.
Nothing else happens until the meter's next lookup or purchase, whose broadcast clears the flag
(see `lookup_answers.apply_answers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from service.domain.support import MeterSupport, RebroadcastFlag, SupportStatus
from service.domain.support_changes import SupportChange, diff_support


@dataclass(frozen=True, kw_only=True)
class MarkResult:
    """The flagged meter and the support entries that MARK changed."""

    meter: MeterSupport
    changes: tuple[SupportChange, ...]


def mark_for_rebroadcast(
    meter: MeterSupport,
    *,
    requested_by: str,
    at: datetime,
    reason: str | None = None,
    providers: Iterable[str] = (),
) -> MarkResult:
    """Flag the meter and unconfirm every provider not SUPPORTED, `providers` included."""
    after = meter
    for provider_id in {*providers, *(e.provider_id for e in meter.providers)}:
        entry = after.support_of(provider_id)
        if entry.status is not SupportStatus.SUPPORTED:
            after = after.with_support(replace(entry, status=SupportStatus.UNCONFIRMED))
    flag = RebroadcastFlag(requested_by=requested_by, requested_at=at, reason=reason)
    after = replace(after, flag=flag)
    return MarkResult(meter=after, changes=diff_support(meter, after))
