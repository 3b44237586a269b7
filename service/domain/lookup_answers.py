"""Recording lookup answers: only a definite answer changes what is known (rules 2 and 5).

A timeout, connection error, 5xx, open circuit or any other failure is never evidence of
non-support: the provider becomes UNCONFIRMED, except that a provider which had confirmed
support keeps SUPPORTED (one blip must not block a meter) and shows awaiting confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from service.domain.support import MeterSupport, ProviderSupport, SupportStatus
from service.domain.support_changes import SupportChange, diff_support


class AnswerKind(StrEnum):
    """How a provider answered one lookup; only the first two are definite."""

    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    TIMEOUT = "TIMEOUT"
    CONNECTION_ERROR = "CONNECTION_ERROR"
    SERVER_ERROR = "SERVER_ERROR"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    OTHER_FAILURE = "OTHER_FAILURE"

    @property
    def definite(self) -> bool:
        """Tell whether this answer says anything about support."""
        return self in (AnswerKind.SUPPORTED, AnswerKind.NOT_SUPPORTED)


@dataclass(frozen=True, kw_only=True)
class LookupAnswer:
    """One provider's answer; definite answers carry the time they arrived."""

    provider_id: str
    kind: AnswerKind
    answered_at: datetime | None = None

    def __post_init__(self) -> None:
        """A definite answer without its time would lose the *last response* (rule 1)."""
        if self.kind.definite and self.answered_at is None:
            raise ValueError(f"a {self.kind} answer needs answered_at")


@dataclass(frozen=True, kw_only=True)
class AppliedAnswers:
    """The meter after the answers, what changed, and whether a rebroadcast flag was cleared."""

    meter: MeterSupport
    changes: tuple[SupportChange, ...]
    flag_cleared: bool


def support_after(current: ProviderSupport, answer: LookupAnswer) -> ProviderSupport:
    """One provider's support after one answer (rule 2: no answer never means NOT_SUPPORTED)."""
    if answer.kind is AnswerKind.SUPPORTED:
        return replace(current, status=SupportStatus.SUPPORTED, last_response_at=answer.answered_at)
    if answer.kind is AnswerKind.NOT_SUPPORTED:
        return replace(
            current, status=SupportStatus.NOT_SUPPORTED, last_response_at=answer.answered_at
        )
    if current.status is SupportStatus.SUPPORTED:
        return current
    return replace(current, status=SupportStatus.UNCONFIRMED)


def apply_answers(
    meter: MeterSupport, answers: Sequence[LookupAnswer], *, at: datetime, broadcast: bool
) -> AppliedAnswers:
    """Record a lookup's answers; a broadcast also stamps its time and clears the flag (rule 5)."""
    after = meter
    for answer in answers:
        after = after.with_support(support_after(after.support_of(answer.provider_id), answer))
    if broadcast:
        after = replace(after, last_broadcast_at=at, flag=None)
    return AppliedAnswers(
        meter=after,
        changes=diff_support(meter, after),
        flag_cleared=broadcast and meter.flag is not None,
    )
