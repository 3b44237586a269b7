"""Rule 8: unknown outcomes are recovered at the same provider with the same purchase id."""

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.backoff import Backoff
from service.domain.provider_results import FailureKind
from service.domain.unknown_outcome import (
    GiveUpUnknown,
    RetryBudget,
    RetrySamePurchase,
    decide_after_unknown,
    held_back,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BUDGET = RetryBudget(
    max_retries=3,
    deadline=timedelta(minutes=5),
    backoff=Backoff(first=timedelta(seconds=2), factor=2, cap=timedelta(seconds=30)),
)


def test_retries_same_provider_same_purchase_with_backoff() -> None:
    """Rule 8: within budget the step is a retry of the same purchase at the same provider."""
    delays = []
    now = T0
    for retries in range(3):
        step = decide_after_unknown(
            provider_id="P",
            purchase_id="pid",
            retries_made=retries,
            first_unknown_at=T0,
            now=now,
            budget=BUDGET,
        )
        assert isinstance(step, RetrySamePurchase)
        assert (step.provider_id, step.purchase_id) == ("P", "pid")
        delays.append(step.not_before - now)
        now = step.not_before
    assert delays == [timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8)]


def test_gives_up_after_the_retry_budget_with_a_reversal() -> None:
    """Rule 8: still unknown after the budget means UNKNOWN and a TIMEOUT reversal advice."""
    step = decide_after_unknown(
        provider_id="P",
        purchase_id="pid",
        retries_made=3,
        first_unknown_at=T0,
        now=T0,
        budget=BUDGET,
    )
    assert step == GiveUpUnknown(provider_id="P", purchase_id="pid", reversal_reason="TIMEOUT")


def test_gives_up_when_the_next_retry_would_pass_the_deadline() -> None:
    """Rule 8: the budget is also a deadline from the first unknown outcome."""
    step = decide_after_unknown(
        provider_id="P",
        purchase_id="pid",
        retries_made=1,
        first_unknown_at=T0,
        now=T0 + timedelta(minutes=4, seconds=57),
        budget=BUDGET,
    )
    assert isinstance(step, GiveUpUnknown)


def test_decision_can_only_name_the_same_provider() -> None:
    """Rule 8: neither step can carry another provider or a new purchase id."""
    fields = set(RetrySamePurchase.__dataclass_fields__) | set(GiveUpUnknown.__dataclass_fields__)
    assert fields == {"provider_id", "purchase_id", "not_before", "reversal_reason"}


def test_backoff_grows_and_is_capped() -> None:
    """The backoff schedule doubles and stops at the cap."""
    backoff = Backoff(first=timedelta(seconds=1), factor=3, cap=timedelta(seconds=10))
    assert [backoff.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 3, 9, 10]
    with pytest.raises(ValueError, match="counts from 1"):
        backoff.delay(0)
    with pytest.raises(ValueError, match="first > 0"):
        Backoff(first=timedelta(0))


@pytest.mark.parametrize(
    "kind", [FailureKind.CIRCUIT_OPEN, FailureKind.BULKHEAD_FULL, FailureKind.UNREACHABLE]
)
def test_rule_22_a_retry_that_never_reached_the_provider_spends_no_budget(
    kind: FailureKind,
) -> None:
    """Rule 22: the breaker, the bulkhead or a refused connection held the retry back."""
    assert held_back(kind)


@pytest.mark.parametrize(
    "kind", [FailureKind.UNAVAILABLE, FailureKind.OTHER_STATUS, FailureKind.UNAUTHORISED]
)
def test_rule_22_a_retry_that_reached_the_provider_counts(kind: FailureKind) -> None:
    """Rule 22: an answer from the provider, even an error, means the retry reached it."""
    assert not held_back(kind)


def test_rule_22_held_back_retries_go_on_until_the_deadline_bounds_them() -> None:
    """Rule 22: with the count unchanged the budget never runs out; the deadline still ends it."""
    budget = RetryBudget(max_retries=2, deadline=timedelta(seconds=60))
    start = datetime(2026, 11, 30, tzinfo=UTC)
    within = decide_after_unknown(
        provider_id="P1",
        purchase_id="x",
        retries_made=1,
        first_unknown_at=start,
        now=start + timedelta(seconds=40),
        budget=budget,
    )
    past = decide_after_unknown(
        provider_id="P1",
        purchase_id="x",
        retries_made=1,
        first_unknown_at=start,
        now=start + timedelta(seconds=59),
        budget=budget,
    )
    assert isinstance(within, RetrySamePurchase)
    assert isinstance(past, GiveUpUnknown)
