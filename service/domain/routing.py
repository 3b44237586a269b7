"""Purchase routing (rules 7, 9 and 17): the ordered list of providers to try.

Order: the meter-level preference, then the institution's ranked providers for the meter's
utility (rank 1 first), then the unranked ones by weighted load balancing. Only eligible
providers appear: enabled, healthy, circuit closed, SUPPORTED, and not excluded for the utility.
The first is the routed provider; the rest is the failover order after a "not supported" decline.
Weight applies to the unranked tier only (0 takes a provider out of load balancing); a ranking or
a meter preference is the institution's explicit choice and is honoured whatever the weight.
A half-open circuit is not closed: a purchase (real money) is never the breaker's probe.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from service.domain.support import SupportStatus
from service.domain.weighted import weighted_order


class SkipReason(StrEnum):
    """Why a provider is not in the route."""

    DISABLED = "DISABLED"
    EXCLUDED = "EXCLUDED"
    UNHEALTHY = "UNHEALTHY"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    ZERO_WEIGHT = "ZERO_WEIGHT"


@dataclass(frozen=True, kw_only=True)
class ProviderAvailability:
    """A provider as routing sees it right now; `enabled` means for this institution."""

    provider_id: str
    enabled: bool = True
    healthy: bool = True
    circuit_closed: bool = True
    weight: int = 1


@dataclass(frozen=True, kw_only=True)
class RoutingPreferences:
    """An institution's choices for the meter's utility, plus the meter-level preference."""

    meter_preference: str | None = None
    ranked: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class RoutePlan:
    """Providers to try in order, and why the others are left out."""

    order: tuple[str, ...]
    skipped: Mapping[str, SkipReason] = field(default_factory=dict)

    @property
    def provider(self) -> str | None:
        """The routed provider, or None when nobody can take the purchase."""
        return self.order[0] if self.order else None


def _skip_reason(
    provider: ProviderAvailability, status: SupportStatus | None, excluded: frozenset[str]
) -> SkipReason | None:
    if not provider.enabled:
        return SkipReason.DISABLED
    if provider.provider_id in excluded:
        return SkipReason.EXCLUDED
    if not provider.healthy:
        return SkipReason.UNHEALTHY
    if not provider.circuit_closed:
        return SkipReason.CIRCUIT_OPEN
    if status is not SupportStatus.SUPPORTED:
        return SkipReason.NOT_SUPPORTED
    return None


def plan_route(
    *,
    providers: Sequence[ProviderAvailability],
    support: Mapping[str, SupportStatus],
    preferences: RoutingPreferences,
    key: str,
) -> RoutePlan:
    """Order the eligible providers; `key` (the purchase id) fixes the weighted draw."""
    skipped: dict[str, SkipReason] = {}
    eligible: dict[str, ProviderAvailability] = {}
    for p in providers:
        reason = _skip_reason(p, support.get(p.provider_id), preferences.excluded)
        if reason is None:
            eligible[p.provider_id] = p
        else:
            skipped[p.provider_id] = reason
    chosen = [preferences.meter_preference, *preferences.ranked]
    head = list(dict.fromkeys(p for p in chosen if p is not None and p in eligible))
    rest = {pid: p.weight for pid, p in eligible.items() if pid not in head}
    tail = weighted_order(rest, key=key)
    skipped.update({pid: SkipReason.ZERO_WEIGHT for pid in rest if pid not in tail})
    return RoutePlan(order=(*head, *tail), skipped=skipped)


def next_provider(order: Sequence[str], tried: Collection[str]) -> str | None:
    """The first provider in the route not tried yet for this purchase (rule 9)."""
    return next((p for p in order if p not in tried), None)
