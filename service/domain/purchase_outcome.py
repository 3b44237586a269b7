"""What a definite purchase answer means for the purchase (rules 9 and 16).

- "Meter not supported" (UNKNOWN_METER_ID): mark that provider NOT_SUPPORTED, fail over.
- Not sent at all (503, refused before sending, circuit open): nothing happened there, so the
  next provider may be tried; the provider's support is untouched.
- Any other decline, a municipality's METER_ID_BLOCKED included: the purchase fails DECLINED.
  METER_ID_BLOCKED is a credit-control block, never a routing block nor "not supported".
Unknown outcomes are not handled here: see `unknown_outcome` (rule 8).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from service.domain.blocking import CREDIT_CONTROL_ERROR_TYPE
from service.domain.routing import next_provider


class AttemptResult(StrEnum):
    """A definite answer to a purchase sent to one provider."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    METER_ID_BLOCKED = "METER_ID_BLOCKED"
    DECLINED = "DECLINED"
    NOT_SENT = "NOT_SENT"


class FailureOutcome(StrEnum):
    """The outcome of `ppu.purchase.failed`."""

    DECLINED = "DECLINED"
    UNKNOWN = "UNKNOWN"
    METER_BLOCKED = "METER_BLOCKED"
    INVALID = "INVALID"


@dataclass(frozen=True, kw_only=True)
class FailOver:
    """Try `provider_id` next with the same purchase; maybe mark the last one NOT_SUPPORTED."""

    provider_id: str
    mark_not_supported: bool


@dataclass(frozen=True, kw_only=True)
class FailPurchase:
    """Stop: publish `ppu.purchase.failed` with this outcome and error type."""

    outcome: FailureOutcome
    error_type: str
    mark_not_supported: bool = False


@dataclass(frozen=True, kw_only=True)
class RouteExhausted:
    """Nobody left to try: the handler checks the routing block (METER_BLOCKED or DECLINED)."""

    mark_not_supported: bool


def decide_after_failure(
    result: AttemptResult,
    *,
    route: Sequence[str],
    tried: Collection[str],
    error_type: str | None = None,
) -> FailOver | FailPurchase | RouteExhausted:
    """Next step after a definite failure of a first-time purchase attempt."""
    if result is AttemptResult.METER_ID_BLOCKED:
        return FailPurchase(outcome=FailureOutcome.DECLINED, error_type=CREDIT_CONTROL_ERROR_TYPE)
    if result is AttemptResult.DECLINED:
        return FailPurchase(outcome=FailureOutcome.DECLINED, error_type=error_type or "DECLINED")
    mark = result is AttemptResult.NOT_SUPPORTED
    following = next_provider(route, tried)
    if following is None:
        return RouteExhausted(mark_not_supported=mark)
    return FailOver(provider_id=following, mark_not_supported=mark)


def exhausted_failure(*, routing_blocked: bool) -> FailPurchase:
    """The failure to publish when the route ran out: a routing block, or nobody available."""
    if routing_blocked:
        return FailPurchase(
            outcome=FailureOutcome.METER_BLOCKED, error_type="NO_SUPPORTING_PROVIDER"
        )
    return FailPurchase(outcome=FailureOutcome.DECLINED, error_type="NO_PROVIDER_AVAILABLE")


def decide_after_retry_failure(
    result: AttemptResult, *, error_type: str | None = None
) -> FailPurchase | None:
    """After a retry (rule 8): a definite decline ends it DECLINED; NOT_SENT (None) stays unknown.

    Never a failover: the original purchase may have vended at this provider.
    """
    if result is AttemptResult.NOT_SENT:
        return None
    default = (
        CREDIT_CONTROL_ERROR_TYPE if result is AttemptResult.METER_ID_BLOCKED else result.value
    )
    return FailPurchase(outcome=FailureOutcome.DECLINED, error_type=error_type or default)
