"""Ask several providers about a meter at once; finish when all answered or the deadline hit."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime

from service.domain.lookup_answers import AnswerKind, LookupAnswer
from service.domain.provider_results import (
    Failed,
    FailureKind,
    LookupOutcome,
    MeterInfo,
    Succeeded,
    Unknown,
    UnknownKind,
)
from service.ports.provider import LookupRequest, ProviderPort

_UNKNOWN_KIND = {
    UnknownKind.TIMEOUT: AnswerKind.TIMEOUT,
    UnknownKind.CONNECTION_LOST: AnswerKind.CONNECTION_ERROR,
}
_FAILED_KIND = {
    FailureKind.NOT_SUPPORTED: AnswerKind.NOT_SUPPORTED,
    FailureKind.CIRCUIT_OPEN: AnswerKind.CIRCUIT_OPEN,
    FailureKind.UNREACHABLE: AnswerKind.CONNECTION_ERROR,
    FailureKind.UNAVAILABLE: AnswerKind.SERVER_ERROR,
    # A municipality's block means the provider serves the meter (rule 16), never "not supported".
    FailureKind.METER_BLOCKED: AnswerKind.SUPPORTED,
}


async def fan_out(
    providers: Mapping[str, ProviderPort],
    targets: Sequence[str],
    request: LookupRequest,
    *,
    deadline_s: float,
) -> dict[str, LookupOutcome | None]:
    """Each target's outcome; None for a provider still silent at the deadline (cancelled)."""
    tasks = {
        pid: asyncio.create_task(providers[pid].lookup_meter(request), name=f"lookup:{pid}")
        for pid in targets
        if pid in providers
    }
    if tasks:
        await asyncio.wait(tasks.values(), timeout=deadline_s)
    results: dict[str, LookupOutcome | None] = {pid: None for pid in targets}
    for pid, task in tasks.items():
        if task.done():
            results[pid] = task.result()
        else:
            task.cancel()
    return results


def to_answer(provider_id: str, outcome: LookupOutcome | None, *, at: datetime) -> LookupAnswer:
    """What one provider's outcome says about support (rule 2: silence is never a "no")."""
    if isinstance(outcome, Succeeded):
        kind = AnswerKind.SUPPORTED
    elif isinstance(outcome, Failed):
        kind = _FAILED_KIND.get(outcome.kind, AnswerKind.OTHER_FAILURE)
    elif isinstance(outcome, Unknown):
        kind = _UNKNOWN_KIND.get(outcome.kind, AnswerKind.SERVER_ERROR)
    else:
        kind = AnswerKind.TIMEOUT
    return LookupAnswer(
        provider_id=provider_id, kind=kind, answered_at=at if kind.definite else None
    )


def meter_info(outcome: LookupOutcome | None) -> MeterInfo | None:
    """The provider's details of the meter when it answered with them."""
    return outcome.value if isinstance(outcome, Succeeded) else None
