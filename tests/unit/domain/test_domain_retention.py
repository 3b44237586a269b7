"""What retention may forget: finished purchases and advices, and the window's cut-off."""

from __future__ import annotations

from datetime import UTC, datetime

from service.domain.purchase_state import PurchaseState as S
from service.domain.retention import (
    FINISHED_ADVICE_STATES,
    FINISHED_PURCHASE_STATES,
    cutoff,
)


def test_finished_purchases_are_the_terminal_states_and_issued_without_confirmation() -> None:
    """FAILED, ISSUED and the acknowledged states; nothing still in flight or advising."""
    assert {
        S.FAILED,
        S.ISSUED,
        S.CONFIRMATION_ACKNOWLEDGED,
        S.REVERSAL_ACKNOWLEDGED,
    } == FINISHED_PURCHASE_STATES


def test_a_purchase_in_flight_or_with_an_advice_to_send_is_never_finished() -> None:
    """SENT, UNKNOWN and the pending or sent advice states keep their attempts."""
    for state in (S.RECEIVED, S.ROUTED, S.SENT, S.UNKNOWN, S.CONFIRMATION_PENDING):
        assert state not in FINISHED_PURCHASE_STATES
    for state in (S.CONFIRMATION_SENT, S.REVERSAL_PENDING, S.REVERSAL_SENT):
        assert state not in FINISHED_PURCHASE_STATES


def test_only_delivered_and_rejected_advices_are_finished() -> None:
    """A pending advice is still to be sent (rule 13)."""
    assert {"DELIVERED", "REJECTED"} == FINISHED_ADVICE_STATES


def test_the_cutoff_is_the_window_before_now() -> None:
    """Fractional days count: 1.5 days before noon is midnight two days earlier."""
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert cutoff(now, 1.5) == datetime(2026, 11, 29, 0, tzinfo=UTC)
