"""Unknown purchase outcomes (rule 8): recover at the same provider, never buy again elsewhere.

After a timeout, 500 or 504 the municipality may already have issued the token; a second
purchase would push the consumer into a higher tariff block. So the only next steps are the
interface's retry operation (same provider, same purchase id) within a budget, then giving up:
`ppu.purchase.failed` UNKNOWN and a reversal advice (reason TIMEOUT) queued for loss tracking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from service.domain.backoff import Backoff
from service.domain.provider_results import FailureKind

REVERSAL_REASON = "TIMEOUT"
_HELD_BACK = frozenset(
    {FailureKind.CIRCUIT_OPEN, FailureKind.BULKHEAD_FULL, FailureKind.UNREACHABLE}
)


def held_back(kind: FailureKind) -> bool:
    """Whether a retry failed before reaching the provider, so it spends no budget (rule 22).

    The deadline still bounds the whole recovery: a provider that stays away long enough
    ends the purchase UNKNOWN all the same.
    """
    return kind in _HELD_BACK


@dataclass(frozen=True, kw_only=True)
class RetryBudget:
    """How hard to try recovering one unknown purchase."""

    max_retries: int = 5
    deadline: timedelta = timedelta(minutes=10)
    backoff: Backoff = field(
        default_factory=lambda: Backoff(first=timedelta(seconds=2), cap=timedelta(seconds=60))
    )


@dataclass(frozen=True, kw_only=True)
class RetrySamePurchase:
    """Send the retry operation for this purchase id to this provider, at `not_before`."""

    provider_id: str
    purchase_id: str
    not_before: datetime


@dataclass(frozen=True, kw_only=True)
class GiveUpUnknown:
    """Emit UNKNOWN and queue a reversal advice for this purchase at this provider."""

    provider_id: str
    purchase_id: str
    reversal_reason: str = REVERSAL_REASON


def decide_after_unknown(
    *,
    provider_id: str,
    purchase_id: str,
    retries_made: int,
    first_unknown_at: datetime,
    now: datetime,
    budget: RetryBudget | None = None,
) -> RetrySamePurchase | GiveUpUnknown:
    """Next step after an unknown outcome (of the purchase or of a retry)."""
    budget = budget or RetryBudget()
    if retries_made >= budget.max_retries:
        return GiveUpUnknown(provider_id=provider_id, purchase_id=purchase_id)
    not_before = now + budget.backoff.delay(retries_made + 1)
    if not_before - first_unknown_at > budget.deadline:
        return GiveUpUnknown(provider_id=provider_id, purchase_id=purchase_id)
    return RetrySamePurchase(
        provider_id=provider_id, purchase_id=purchase_id, not_before=not_before
    )
