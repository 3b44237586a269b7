"""Rules 9 and 16: declines, failover and the municipality's METER_ID_BLOCKED."""

import pytest

from service.domain.purchase_outcome import (
    AttemptResult,
    FailOver,
    FailPurchase,
    FailureOutcome,
    RouteExhausted,
    decide_after_failure,
    decide_after_retry_failure,
    exhausted_failure,
)

ROUTE = ("A", "B", "C")


def test_not_supported_fails_over_and_marks_provider() -> None:
    """Rule 9: a "not supported" decline marks the provider and tries the next one."""
    decision = decide_after_failure(AttemptResult.NOT_SUPPORTED, route=ROUTE, tried={"A"})
    assert decision == FailOver(provider_id="B", mark_not_supported=True)


def test_not_supported_by_the_last_provider_exhausts_the_route() -> None:
    """Rule 9: with nobody left, the handler checks for a routing block."""
    decision = decide_after_failure(AttemptResult.NOT_SUPPORTED, route=ROUTE, tried=set(ROUTE))
    assert decision == RouteExhausted(mark_not_supported=True)
    assert exhausted_failure(routing_blocked=True).outcome is FailureOutcome.METER_BLOCKED
    assert exhausted_failure(routing_blocked=False).outcome is FailureOutcome.DECLINED


def test_other_decline_fails_the_purchase() -> None:
    """Rule 9: any other decline fails the purchase DECLINED with the provider's error type."""
    decision = decide_after_failure(
        AttemptResult.DECLINED, route=ROUTE, tried={"A"}, error_type="AMOUNT_TOO_LOW"
    )
    assert decision == FailPurchase(outcome=FailureOutcome.DECLINED, error_type="AMOUNT_TOO_LOW")


def test_meter_id_blocked_is_a_decline_not_a_routing_block() -> None:
    """Rule 16: METER_ID_BLOCKED fails DECLINED, never METER_BLOCKED, never "not supported"."""
    decision = decide_after_failure(AttemptResult.METER_ID_BLOCKED, route=ROUTE, tried={"A"})
    assert isinstance(decision, FailPurchase)
    assert decision.outcome is FailureOutcome.DECLINED
    assert decision.error_type == "METER_ID_BLOCKED"
    assert not decision.mark_not_supported


def test_not_sent_tries_next_without_touching_support() -> None:
    """A purchase that never left (503, refused) may go to the next provider; support stays."""
    decision = decide_after_failure(AttemptResult.NOT_SENT, route=ROUTE, tried={"A"})
    assert decision == FailOver(provider_id="B", mark_not_supported=False)


@pytest.mark.parametrize(
    "result",
    [AttemptResult.NOT_SUPPORTED, AttemptResult.DECLINED, AttemptResult.METER_ID_BLOCKED],
)
def test_retry_decline_never_fails_over(result: AttemptResult) -> None:
    """Rule 8: a decline of the retry operation ends the purchase DECLINED, no other provider."""
    decision = decide_after_retry_failure(result)
    assert decision is not None
    assert decision.outcome is FailureOutcome.DECLINED
    assert not decision.mark_not_supported


def test_retry_not_sent_stays_unknown() -> None:
    """Rule 8: a retry that never reached the provider says nothing: still unknown."""
    assert decide_after_retry_failure(AttemptResult.NOT_SENT) is None
