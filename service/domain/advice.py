"""Store-and-forward advices (rule 13): which answers are final, and when to send again.

Final: any 2xx (servers differ on 200/201/202) and 400; a 400 DUPLICATE_RECORD means the
advice was already delivered. Everything else (no answer, 404, 500, 501, 503, 504) is resent
with backoff and the same advice id, forever: after `alert_after` attempts an operator is
alerted, but an advice never silently vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from service.domain.backoff import Backoff
from service.domain.purchase_state import PurchaseState

_BAD_REQUEST = 400
_DUPLICATE = "DUPLICATE_RECORD"


class AdviceKind(StrEnum):
    """A confirmation after tokens were handed over, or a reversal for loss tracking."""

    CONFIRMATION = "CONFIRMATION"
    REVERSAL = "REVERSAL"


class AdviceAnswer(StrEnum):
    """What one delivery attempt achieved."""

    DELIVERED = "DELIVERED"
    REJECTED = "REJECTED"
    RESEND = "RESEND"

    @property
    def final(self) -> bool:
        """Tell whether the advice is done with."""
        return self is not AdviceAnswer.RESEND


@dataclass(frozen=True, kw_only=True)
class AdvicePolicy:
    """Resend schedule and when to alert."""

    backoff: Backoff = field(
        default_factory=lambda: Backoff(first=timedelta(seconds=5), cap=timedelta(minutes=10))
    )
    alert_after: int = 10


def classify_advice_status(status: int | None, *, error_type: str | None = None) -> AdviceAnswer:
    """Classify one attempt's HTTP status; None means no response (timeout, connection)."""
    if status is not None and 200 <= status < 300:  # noqa: PLR2004 - the 2xx range
        return AdviceAnswer.DELIVERED
    if status == _BAD_REQUEST:
        return AdviceAnswer.DELIVERED if error_type == _DUPLICATE else AdviceAnswer.REJECTED
    return AdviceAnswer.RESEND


def next_attempt_at(
    *, attempts_made: int, last_attempt_at: datetime, policy: AdvicePolicy | None = None
) -> datetime:
    """When to send the advice again after a RESEND answer."""
    return last_attempt_at + (policy or AdvicePolicy()).backoff.delay(attempts_made)


def needs_alert(attempts_made: int, policy: AdvicePolicy | None = None) -> bool:
    """Tell whether the advice has failed long enough that an operator must hear of it."""
    return attempts_made >= (policy or AdvicePolicy()).alert_after


_STATES = {
    AdviceKind.CONFIRMATION: (
        PurchaseState.CONFIRMATION_PENDING,
        PurchaseState.CONFIRMATION_ACKNOWLEDGED,
    ),
    AdviceKind.REVERSAL: (PurchaseState.REVERSAL_PENDING, PurchaseState.REVERSAL_ACKNOWLEDGED),
}


def state_after_answer(kind: AdviceKind, answer: AdviceAnswer) -> PurchaseState:
    """The ledger state after an attempt: acknowledged when final, pending to resend."""
    pending, acknowledged = _STATES[kind]
    return acknowledged if answer.final else pending
