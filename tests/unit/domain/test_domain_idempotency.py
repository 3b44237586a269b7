"""Rule 14: the same purchase id never vends twice; the second copy gets the first outcome."""

import pytest

from service.domain.idempotency import DuplicateAction, on_purchase_request
from service.domain.purchase_state import PurchaseState

S = PurchaseState


def test_new_purchase_is_processed() -> None:
    """Rule 14: a purchase id never seen is processed."""
    assert on_purchase_request(None) is DuplicateAction.PROCESS


@pytest.mark.parametrize(
    "state",
    [
        S.ISSUED,
        S.FAILED,
        S.CONFIRMATION_PENDING,
        S.CONFIRMATION_ACKNOWLEDGED,
        S.REVERSAL_PENDING,
        S.REVERSAL_ACKNOWLEDGED,
    ],
)
def test_decided_purchase_replays_first_outcome(state: PurchaseState) -> None:
    """Rule 14: a second copy of a decided purchase gets the first outcome re-published."""
    assert on_purchase_request(state) is DuplicateAction.REPLAY_OUTCOME


@pytest.mark.parametrize("state", [S.SENT, S.UNKNOWN])
def test_possibly_sent_purchase_is_recovered_not_resent(state: PurchaseState) -> None:
    """Rules 14 and 8: a copy arriving after the purchase may have left is recovered by retry."""
    assert on_purchase_request(state) is DuplicateAction.RECOVER


def test_every_state_has_a_duplicate_rule() -> None:
    """Every ledger state maps to an action, so no redelivery can fall through."""
    actions = {on_purchase_request(s) for s in PurchaseState}
    assert on_purchase_request(S.ROUTED) is DuplicateAction.RESUME
    assert DuplicateAction.PROCESS not in actions
