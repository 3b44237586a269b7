"""Which resends are safe for an operation, and the resend loop (tenacity) they go through.

The first attempt runs bare: building tenacity's machinery for every call cost more CPU than
the HTTP round trip's own Python code, and almost every call ends after one attempt. Only an
outcome the policy resends enters tenacity, which replays that first outcome as its attempt 1,
so attempt numbers, backoff, stop and the last outcome given back are tenacity's, unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from adapters.ppu_v3.errors import ConnectionLostError, NotReachedError, PpuTransportError
from adapters.ppu_v3.settings import ProviderSettings
from adapters.ppu_v3.transport import RawAnswer

_LOOKUP_ERRORS = (NotReachedError, ConnectionLostError)
_LOOKUP_STATUSES = frozenset({500, 504})
_NO_STATUSES: frozenset[int] = frozenset()


class RetryPolicy(Enum):
    """Which resends are safe for an operation."""

    NEVER = "never"  # a new purchase: an unknown outcome is recovered with the retry operation
    UNREACHED = "unreached"  # resend only what never reached the provider
    LOOKUP = "lookup"  # no financial effect: resend (fresh id) after unreached, lost, 500, 504


def _last_outcome(state: RetryCallState) -> Any:
    """After the last lookup attempt, give back its answer or raise its error."""
    return state.outcome.result() if state.outcome else None


@dataclass(frozen=True, kw_only=True)
class Resends:
    """One policy of one provider: attempts, and the errors and statuses worth a resend."""

    policy: RetryPolicy
    attempts: int
    errors: tuple[type[PpuTransportError], ...]
    statuses: frozenset[int]
    backoff_seconds: float

    @classmethod
    def of(cls, settings: ProviderSettings, policy: RetryPolicy) -> Resends:
        """The provider's settings applied to a policy."""
        errors: tuple[type[PpuTransportError], ...] = (NotReachedError,)
        statuses = _NO_STATUSES
        if policy is RetryPolicy.LOOKUP:
            attempts = max(settings.lookup_attempts, 1)
            errors, statuses = _LOOKUP_ERRORS, _LOOKUP_STATUSES
        else:
            attempts = settings.unreached_attempts if policy is RetryPolicy.UNREACHED else 1
        return cls(
            policy=policy,
            attempts=attempts,
            errors=errors,
            statuses=statuses,
            backoff_seconds=settings.retry_backoff_seconds,
        )

    def retrying(self) -> AsyncRetrying:
        """The tenacity policy; errors left after the last attempt are re-raised."""
        wait = wait_exponential(multiplier=self.backoff_seconds, max=1.0)
        if self.policy is RetryPolicy.LOOKUP:
            return AsyncRetrying(
                stop=stop_after_attempt(self.attempts),
                wait=wait,
                retry=retry_if_exception_type(self.errors)
                | retry_if_result(lambda answer: answer.status in self.statuses),
                retry_error_callback=_last_outcome,
            )
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception_type(self.errors),
            reraise=True,
        )

    async def send(self, attempt: Callable[[], Awaitable[RawAnswer]]) -> RawAnswer:
        """Run `attempt`, resending only as the policy allows."""
        first: RawAnswer | PpuTransportError
        try:
            first = await attempt()
        except PpuTransportError as exc:
            if self.attempts <= 1 or not isinstance(exc, self.errors):
                raise
            first = exc
        else:
            if self.attempts <= 1 or first.status not in self.statuses:
                return first
        return await self._resend(attempt, first)

    async def _resend(
        self, attempt: Callable[[], Awaitable[RawAnswer]], first: RawAnswer | PpuTransportError
    ) -> RawAnswer:
        """Tenacity from attempt 1 on, attempt 1 being the outcome already in hand."""
        replay: list[RawAnswer | PpuTransportError] = [first]
        answer: RawAnswer | None = None
        async for tried in self.retrying():
            with tried:
                answer = _replayed(replay.pop()) if replay else await attempt()
            outcome = tried.retry_state.outcome
            if outcome is not None and not outcome.failed:
                tried.retry_state.set_result(answer)
        if answer is None:  # tenacity re-raises before this when no attempt answered
            raise ConnectionLostError("no attempt answered")
        return answer


def _replayed(outcome: RawAnswer | PpuTransportError) -> RawAnswer:
    """An attempt's outcome again: its answer, or its error raised once more."""
    if isinstance(outcome, PpuTransportError):
        raise outcome
    return outcome
