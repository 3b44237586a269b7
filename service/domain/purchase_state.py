"""The purchase ledger's state machine: every allowed move is listed, any other is refused.

    RECEIVED -> ROUTED -> SENT -> ISSUED -> CONFIRMATION_PENDING <-> CONFIRMATION_SENT
                  ^        |                 CONFIRMATION_SENT -> CONFIRMATION_ACKNOWLEDGED
                  +--------+ (failover after "not supported")
    SENT -> UNKNOWN -> ISSUED (recovered by retry) | FAILED (retry declined)
                    -> REVERSAL_PENDING <-> REVERSAL_SENT -> REVERSAL_ACKNOWLEDGED
    RECEIVED | ROUTED | SENT -> FAILED

UNKNOWN never goes back to ROUTED: an unknown outcome is never re-sent elsewhere (rule 8).
"""

from __future__ import annotations

from enum import StrEnum


class PurchaseState(StrEnum):
    """Where one purchase is."""

    RECEIVED = "RECEIVED"
    ROUTED = "ROUTED"
    SENT = "SENT"
    ISSUED = "ISSUED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"
    CONFIRMATION_PENDING = "CONFIRMATION_PENDING"
    CONFIRMATION_SENT = "CONFIRMATION_SENT"
    CONFIRMATION_ACKNOWLEDGED = "CONFIRMATION_ACKNOWLEDGED"
    REVERSAL_PENDING = "REVERSAL_PENDING"
    REVERSAL_SENT = "REVERSAL_SENT"
    REVERSAL_ACKNOWLEDGED = "REVERSAL_ACKNOWLEDGED"


S = PurchaseState
ALLOWED: dict[PurchaseState, frozenset[PurchaseState]] = {
    S.RECEIVED: frozenset({S.ROUTED, S.FAILED}),
    S.ROUTED: frozenset({S.SENT, S.FAILED}),
    S.SENT: frozenset({S.ISSUED, S.FAILED, S.UNKNOWN, S.ROUTED}),
    S.UNKNOWN: frozenset({S.ISSUED, S.FAILED, S.REVERSAL_PENDING}),
    S.ISSUED: frozenset({S.CONFIRMATION_PENDING}),
    S.CONFIRMATION_PENDING: frozenset({S.CONFIRMATION_SENT}),
    S.CONFIRMATION_SENT: frozenset({S.CONFIRMATION_PENDING, S.CONFIRMATION_ACKNOWLEDGED}),
    S.REVERSAL_PENDING: frozenset({S.REVERSAL_SENT}),
    S.REVERSAL_SENT: frozenset({S.REVERSAL_PENDING, S.REVERSAL_ACKNOWLEDGED}),
    S.FAILED: frozenset(),
    S.CONFIRMATION_ACKNOWLEDGED: frozenset(),
    S.REVERSAL_ACKNOWLEDGED: frozenset(),
}
"""Each state's allowed next states; a terminal state allows none."""

ISSUED_STATES = frozenset(
    {S.ISSUED, S.CONFIRMATION_PENDING, S.CONFIRMATION_SENT, S.CONFIRMATION_ACKNOWLEDGED}
)
UNKNOWN_GIVEN_UP_STATES = frozenset({S.REVERSAL_PENDING, S.REVERSAL_SENT, S.REVERSAL_ACKNOWLEDGED})
OUTCOME_STATES = ISSUED_STATES | UNKNOWN_GIVEN_UP_STATES | {S.FAILED}
"""States in which the purchase's outcome event has been decided and emitted."""


class IllegalTransitionError(ValueError):
    """A move the state machine does not allow; names both states."""

    def __init__(self, current: PurchaseState, target: PurchaseState) -> None:
        super().__init__(f"purchase cannot go from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(current: PurchaseState, target: PurchaseState) -> bool:
    """Tell whether the ledger may move a purchase from `current` to `target`."""
    return target in ALLOWED[current]


def transition(current: PurchaseState, target: PurchaseState) -> PurchaseState:
    """Return `target` if the move is allowed, else raise `IllegalTransitionError`."""
    if not can_transition(current, target):
        raise IllegalTransitionError(current, target)
    return target
