"""Rule 13 (pure policy): which advice answers are final, and when to resend."""

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.advice import (
    AdviceAnswer,
    AdviceKind,
    AdvicePolicy,
    classify_advice_status,
    needs_alert,
    next_attempt_at,
    state_after_answer,
)
from service.domain.backoff import Backoff
from service.domain.purchase_state import PurchaseState

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "error_type", "expected"),
    [
        (202, None, AdviceAnswer.DELIVERED),
        (200, None, AdviceAnswer.DELIVERED),
        (400, "DUPLICATE_RECORD", AdviceAnswer.DELIVERED),
        (400, "FORMAT_ERROR", AdviceAnswer.REJECTED),
        (None, None, AdviceAnswer.RESEND),
        (404, "UNABLE_TO_LOCATE_RECORD", AdviceAnswer.RESEND),
        (500, None, AdviceAnswer.RESEND),
        (503, None, AdviceAnswer.RESEND),
        (504, None, AdviceAnswer.RESEND),
    ],
)
def test_only_202_and_400_are_final(
    status: int | None, error_type: str | None, expected: AdviceAnswer
) -> None:
    """Rule 13: 2xx and 400 are final (DUPLICATE_RECORD = delivered); all else is resent."""
    answer = classify_advice_status(status, error_type=error_type)
    assert answer is expected
    assert answer.final is (expected is not AdviceAnswer.RESEND)


def test_resend_schedule_backs_off_and_alerts_without_dropping() -> None:
    """Rule 13: resends back off; after many attempts an alert, never a silent drop."""
    policy = AdvicePolicy(
        backoff=Backoff(first=timedelta(seconds=5), factor=2, cap=timedelta(seconds=30)),
        alert_after=4,
    )
    times = [next_attempt_at(attempts_made=n, last_attempt_at=T0, policy=policy) for n in (1, 2, 5)]
    assert [t - T0 for t in times] == [
        timedelta(seconds=5),
        timedelta(seconds=10),
        timedelta(seconds=30),
    ]
    assert not needs_alert(3, policy)
    assert needs_alert(4, policy)


@pytest.mark.parametrize(
    ("kind", "answer", "expected"),
    [
        (AdviceKind.CONFIRMATION, AdviceAnswer.DELIVERED, PurchaseState.CONFIRMATION_ACKNOWLEDGED),
        (AdviceKind.CONFIRMATION, AdviceAnswer.RESEND, PurchaseState.CONFIRMATION_PENDING),
        (AdviceKind.REVERSAL, AdviceAnswer.REJECTED, PurchaseState.REVERSAL_ACKNOWLEDGED),
        (AdviceKind.REVERSAL, AdviceAnswer.RESEND, PurchaseState.REVERSAL_PENDING),
    ],
)
def test_answer_moves_the_ledger_state(
    kind: AdviceKind, answer: AdviceAnswer, expected: PurchaseState
) -> None:
    """Rule 13: a final answer acknowledges the advice; otherwise it stays pending."""
    assert state_after_answer(kind, answer) is expected
