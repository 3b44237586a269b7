"""What to do with a purchase request whose `purchase_id` may have been seen (rule 14).

The same purchase id never vends twice: a second copy gets the first outcome again, and a
purchase interrupted after it may have reached the provider is recovered, never re-sent.
"""

from __future__ import annotations

from enum import StrEnum

from service.domain.purchase_state import OUTCOME_STATES, PurchaseState


class DuplicateAction(StrEnum):
    """The handler's next step for a purchase request."""

    PROCESS = "PROCESS"  # never seen: record it, then route
    RESUME = "RESUME"  # seen, nothing sent yet: carry on from the ledger's state
    RECOVER = "RECOVER"  # may have reached the provider: retry operation, same id (rule 8)
    REPLAY_OUTCOME = "REPLAY_OUTCOME"  # decided: re-publish the stored outcome event's bytes


_NOTHING_SENT = frozenset({PurchaseState.RECEIVED, PurchaseState.ROUTED})
_MAYBE_SENT = frozenset({PurchaseState.SENT, PurchaseState.UNKNOWN})


_ACTIONS: dict[PurchaseState, DuplicateAction] = {
    **dict.fromkeys(_NOTHING_SENT, DuplicateAction.RESUME),
    **dict.fromkeys(_MAYBE_SENT, DuplicateAction.RECOVER),
    **dict.fromkeys(OUTCOME_STATES, DuplicateAction.REPLAY_OUTCOME),
}


def on_purchase_request(existing: PurchaseState | None) -> DuplicateAction:
    """Decide from the ledger's state for this purchase id (None when never seen)."""
    return DuplicateAction.PROCESS if existing is None else _ACTIONS[existing]
