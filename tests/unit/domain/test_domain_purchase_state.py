"""The purchase state machine: explicit allowed moves, an error on any other."""

import pytest

from service.domain.purchase_state import (
    ALLOWED,
    IllegalTransitionError,
    PurchaseState,
    can_transition,
    transition,
)

S = PurchaseState
HAPPY_PATH = [
    S.RECEIVED,
    S.ROUTED,
    S.SENT,
    S.ISSUED,
    S.CONFIRMATION_PENDING,
    S.CONFIRMATION_SENT,
    S.CONFIRMATION_ACKNOWLEDGED,
]
UNKNOWN_PATH = [
    S.RECEIVED,
    S.ROUTED,
    S.SENT,
    S.UNKNOWN,
    S.REVERSAL_PENDING,
    S.REVERSAL_SENT,
    S.REVERSAL_PENDING,
    S.REVERSAL_SENT,
    S.REVERSAL_ACKNOWLEDGED,
]


@pytest.mark.parametrize("path", [HAPPY_PATH, UNKNOWN_PATH])
def test_legal_paths_walk_through(path: list[PurchaseState]) -> None:
    """Issuing with a confirmation, and giving up with a resent reversal, are legal walks."""
    state = path[0]
    for target in path[1:]:
        state = transition(state, target)
    assert state is path[-1]


def test_every_state_has_a_rule() -> None:
    """Every state lists its allowed next states; terminal states allow none."""
    assert set(ALLOWED) == set(PurchaseState)
    terminal = {s for s, nexts in ALLOWED.items() if not nexts}
    assert terminal == {S.FAILED, S.CONFIRMATION_ACKNOWLEDGED, S.REVERSAL_ACKNOWLEDGED}


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.UNKNOWN, S.ROUTED),
        (S.UNKNOWN, S.SENT),
        (S.ISSUED, S.FAILED),
        (S.FAILED, S.ROUTED),
        (S.RECEIVED, S.ISSUED),
        (S.ISSUED, S.REVERSAL_PENDING),
    ],
)
def test_illegal_moves_raise(current: PurchaseState, target: PurchaseState) -> None:
    """Illegal moves (e.g. an unknown purchase re-routed, rule 8) raise, naming both states."""
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransitionError, match=f"from {current} to {target}"):
        transition(current, target)


def test_failover_reroutes_only_from_sent() -> None:
    """Rule 9: a "not supported" decline lets a sent purchase be routed again."""
    assert can_transition(S.SENT, S.ROUTED)
