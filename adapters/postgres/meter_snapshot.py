"""What a locked meter holds in storage, so writes under the lock send only what changed.

Every write is a new row version with its WAL and index entries; a known meter's lookup used
to rewrite its meter row, every support row and every utility report although usually only
one provider's `last_response_at` moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from service.domain.support import MeterSupport, ProviderSupport


class Report(NamedTuple):
    """One provider's stored naming of the meter's utility."""

    receiver_id: str | None
    receiver_name: str | None
    utility_id: str | None


@dataclass(slots=True)
class Locked:
    """The stored state of a meter whose row lock this transaction holds."""

    meter: MeterSupport
    blocked_for: set[str]
    reports: dict[str, Report]


def reports_of(row: Mapping[str, Any]) -> dict[str, Report]:
    """The utility reports read with the lock (migration 015), per provider."""
    return {
        provider: Report(rid, name, utility)
        for provider, rid, name, utility in zip(
            row["report_providers"],
            row["report_receiver_ids"] or (),
            row["report_receiver_names"] or (),
            row["report_utility_ids"] or (),
            strict=True,
        )
    }


def changed_support(before: MeterSupport, after: MeterSupport) -> list[ProviderSupport]:
    """The support entries of `after` that are new or differ from `before`'s."""
    stored = {p.provider_id: p for p in before.providers}
    return [p for p in after.providers if stored.get(p.provider_id) != p]
