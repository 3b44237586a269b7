"""What to do with a purchase request whose `purchase_id` may have been seen (rules 14, 18).

A purchase id is claimed once for the whole switch, whatever Kafka key its copies carry: the
first request to claim it owns it, and the claim keeps the request's fingerprint (institution,
normalised meter, amount, currency, utility type). Another request with the same id is a
copy: with the same fingerprint it gets the first outcome again (at once when decided, else
when it is decided); with a different one it is a conflicting duplicate, answered INVALID, and
never vends. The owner's own redelivery resumes from the ledger's state: a purchase that may
already have reached the provider is recovered, never re-sent.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from uuid import UUID

from service.domain.purchase_state import OUTCOME_STATES, PurchaseState

CONFLICTING_DUPLICATE = "conflicting duplicate purchase_id"


class DuplicateAction(StrEnum):
    """The handler's next step for a purchase request."""

    PROCESS = "PROCESS"  # never seen: record it, then route
    RESUME = "RESUME"  # seen, nothing sent yet: carry on from the ledger's state
    RECOVER = "RECOVER"  # may have reached the provider: retry operation, same id (rule 8)
    REPLAY_OUTCOME = "REPLAY_OUTCOME"  # decided: re-publish the stored outcome event's bytes


class Copy(StrEnum):
    """How a request relates to the claim on its purchase id."""

    OWNER = "OWNER"  # this request made the claim (now, or before a crash)
    SAME = "SAME"  # another request with the same fingerprint made it: replay its outcome
    CONFLICTING = "CONFLICTING"  # another request with a different fingerprint: INVALID


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


def fingerprint(
    *, institution_id: str, meter_number: str, amount_value: int, currency: str, utility_type: str
) -> str:
    """What makes two requests the same purchase; `meter_number` is the normalised one."""
    parts = (institution_id, meter_number, str(amount_value), currency, utility_type)
    # A separator no field may contain, so ("a|b", "c") and ("a", "b|c") never collide.
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def copy_of_claim(
    *, claimed_by: UUID, claimed_print: str, request_event_id: UUID, request_print: str
) -> Copy:
    """Whether the request owns the claim, copies it, or conflicts with it."""
    if claimed_by == request_event_id:
        return Copy.OWNER
    return Copy.SAME if claimed_print == request_print else Copy.CONFLICTING
