"""What retention may forget: which purchases are finished, and the cut-off of a window.

A purchase is finished when nothing will happen to it any more: a terminal state of the state
machine, or ISSUED, which the ledger stores only when the provider takes no confirmation (a
confirmation moves it on to CONFIRMATION_PENDING in the same write). SENT, UNKNOWN and the
advice states are never finished: their attempts are still evidence for the recovery. The
purchase row itself is never deleted: its id stays claimed forever (rules 14 and 18).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from service.domain.advice import AdviceAnswer
from service.domain.purchase_state import ALLOWED, PurchaseState

FINISHED_PURCHASE_STATES = frozenset(
    {state for state, after in ALLOWED.items() if not after} | {PurchaseState.ISSUED}
)
"""States whose purchase's attempts may be deleted once old enough (no advice pending)."""

FINISHED_ADVICE_STATES = frozenset(answer.value for answer in AdviceAnswer if answer.final)
"""Advice states after which an advice is never sent again (rule 13: 202 or 400)."""


def cutoff(now: datetime, window_days: float) -> datetime:
    """The instant before which a row is older than its window."""
    return now - timedelta(days=window_days)
