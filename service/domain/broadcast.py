"""Who to ask for a lookup (rule 4): broadcast to all, or only the routed provider.

Broadcast when the meter is unknown, flagged for rebroadcast, or its support information is
older than the coverage window (coverage changes monthly). Otherwise ask the routed provider;
with no routed provider and fresh information nobody is asked, since only a rebroadcast mark
or the window's expiry re-checks a blocked meter (the console guide's flow).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from service.domain.support import MeterSupport

DEFAULT_COVERAGE_WINDOW = timedelta(days=30)


class LookupReason(StrEnum):
    """Why the lookup goes where it goes."""

    UNKNOWN_METER = "UNKNOWN_METER"
    FLAGGED = "FLAGGED"
    STALE = "STALE"
    ROUTED = "ROUTED"
    NO_ROUTE = "NO_ROUTE"


_BROADCAST_REASONS = frozenset(
    {LookupReason.UNKNOWN_METER, LookupReason.FLAGGED, LookupReason.STALE}
)


@dataclass(frozen=True, kw_only=True)
class LookupPlan:
    """The providers to ask, in order, and why."""

    reason: LookupReason
    providers: tuple[str, ...]

    @property
    def broadcast(self) -> bool:
        """Tell whether this lookup is a broadcast (to every enabled provider)."""
        return self.reason in _BROADCAST_REASONS


def is_stale(
    meter: MeterSupport, *, now: datetime, coverage_window: timedelta = DEFAULT_COVERAGE_WINDOW
) -> bool:
    """Tell whether the meter's last broadcast is older than the coverage window, or never ran."""
    if meter.last_broadcast_at is None:
        return True
    return now - meter.last_broadcast_at > coverage_window


def plan_lookup(
    *,
    meter: MeterSupport | None,
    enabled_providers: Sequence[str],
    routed_provider: Callable[[], str | None],
    now: datetime,
    coverage_window: timedelta = DEFAULT_COVERAGE_WINDOW,
) -> LookupPlan:
    """Decide the lookup's targets from what is known about the meter (rule 4).

    `routed_provider` is asked only when the lookup is not a broadcast: planning a route costs
    more than the rest of the decision.
    """
    reason = _broadcast_reason(meter, now=now, coverage_window=coverage_window)
    if reason is not None:
        return LookupPlan(reason=reason, providers=tuple(dict.fromkeys(enabled_providers)))
    routed = routed_provider()
    if routed is None:
        return LookupPlan(reason=LookupReason.NO_ROUTE, providers=())
    return LookupPlan(reason=LookupReason.ROUTED, providers=(routed,))


def _broadcast_reason(
    meter: MeterSupport | None, *, now: datetime, coverage_window: timedelta
) -> LookupReason | None:
    if meter is None or not meter.providers:
        return LookupReason.UNKNOWN_METER
    if meter.flag is not None:
        return LookupReason.FLAGGED
    if is_stale(meter, now=now, coverage_window=coverage_window):
        return LookupReason.STALE
    return None
