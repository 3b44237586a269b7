"""One logical call to a provider: breaker, safe retries, classification, one log line."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from adapters.ppu_v3 import from_wire
from adapters.ppu_v3.breaker import CircuitBreaker
from adapters.ppu_v3.classify import (
    classify_status,
    classify_transport_error,
    counts_against_provider,
    is_success,
)
from adapters.ppu_v3.errors import ConnectionLostError, NotReachedError, PpuTransportError
from adapters.ppu_v3.settings import ProviderSettings
from adapters.ppu_v3.transport import BulkheadFullError, ProviderTransport, RawAnswer
from service.domain.provider_results import (
    Failed,
    FailureKind,
    Succeeded,
    Unknown,
    UnknownKind,
)

T = TypeVar("T")
_log = structlog.get_logger("adapters.ppu_v3")
_UNKNOWN_STATUSES = frozenset({500, 504})


class RetryPolicy(Enum):
    """Which resends are safe for an operation."""

    NEVER = "never"  # a new purchase: an unknown outcome is recovered with the retry operation
    UNREACHED = "unreached"  # resend only what never reached the provider
    LOOKUP = "lookup"  # no financial effect: resend (fresh id) after unreached, lost, 500, 504


@dataclass(frozen=True, kw_only=True)
class Call:
    """What one operation sends: path and body built per attempt, timeout, retry policy."""

    operation: str
    build: Callable[[], tuple[str, dict[str, Any]]]
    timeout: float
    policy: RetryPolicy
    request_id: str


def _last_outcome(state: RetryCallState) -> Any:
    """After the last lookup attempt, give back its answer or raise its error."""
    return state.outcome.result() if state.outcome else None


def _retrying(settings: ProviderSettings, policy: RetryPolicy) -> AsyncRetrying:
    """The tenacity policy for an operation; errors left after the last attempt are re-raised."""
    wait = wait_exponential(multiplier=settings.retry_backoff_seconds, max=1.0)
    if policy is RetryPolicy.LOOKUP:
        return AsyncRetrying(
            stop=stop_after_attempt(max(settings.lookup_attempts, 1)),
            wait=wait,
            retry=retry_if_exception_type((NotReachedError, ConnectionLostError))
            | retry_if_result(lambda answer: answer.status in _UNKNOWN_STATUSES),
            retry_error_callback=_last_outcome,
        )
    attempts = settings.unreached_attempts if policy is RetryPolicy.UNREACHED else 1
    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait,
        retry=retry_if_exception_type(NotReachedError),
        reraise=True,
    )


class CallRunner:
    """Runs calls for one provider through its transport and breaker."""

    def __init__(
        self, *, settings: ProviderSettings, transport: ProviderTransport, breaker: CircuitBreaker
    ) -> None:
        """Bind the provider's settings, transport and breaker."""
        self._settings = settings
        self._transport = transport
        self._breaker = breaker

    async def run(self, call: Call, parse: Callable[[bytes], T]) -> Succeeded[T] | Failed | Unknown:
        """Send a call and classify what came back; never raises for provider behaviour."""
        started = time.monotonic()
        if not self._breaker.try_acquire():
            outcome: Succeeded[T] | Failed | Unknown = Failed(kind=FailureKind.CIRCUIT_OPEN)
        else:
            outcome = await self._send(call, parse)
        _log.info(
            "ppu_v3.call",
            provider_id=self._settings.provider_id,
            operation=call.operation,
            request_id=call.request_id,
            outcome=type(outcome).__name__,
            kind=getattr(outcome, "kind", None),
            status=outcome.status,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
        )
        return outcome

    async def _send(
        self, call: Call, parse: Callable[[bytes], T]
    ) -> Succeeded[T] | Failed | Unknown:
        """The breaker-guarded part: attempts, then classification and the breaker's verdict."""
        outcome: Succeeded[T] | Failed | Unknown
        try:
            answer = await self._attempts(call)
        except BulkheadFullError:
            outcome = Failed(kind=FailureKind.BULKHEAD_FULL)
        except PpuTransportError as exc:
            outcome = classify_transport_error(exc)
        except BaseException:
            self._breaker.release()
            raise
        else:
            outcome = self._interpret(answer, parse)
        if isinstance(outcome, Succeeded) or not counts_against_provider(outcome):
            self._breaker.record_success()
        else:
            self._breaker.record_failure()
        return outcome

    async def _attempts(self, call: Call) -> RawAnswer:
        """Send, resending only as the call's policy allows."""
        answer: RawAnswer | None = None
        async for attempt in _retrying(self._settings, call.policy):
            with attempt:
                path, payload = call.build()
                answer = await self._transport.post(path, payload, wait_seconds=call.timeout)
            outcome = attempt.retry_state.outcome
            if outcome is not None and not outcome.failed:
                attempt.retry_state.set_result(answer)
        if answer is None:  # tenacity re-raises before this when no attempt answered
            raise ConnectionLostError("no attempt answered")
        return answer

    def _interpret(
        self, answer: RawAnswer, parse: Callable[[bytes], T]
    ) -> Succeeded[T] | Failed | Unknown:
        """Classify by status; a success we cannot read is unknown, never an exception."""
        if not is_success(answer.status):
            error = from_wire.error_detail(answer.body)
            return classify_status(
                answer.status, error, not_supported_types=self._settings.not_supported_error_types
            )
        if answer.body is None:
            return Unknown(kind=UnknownKind.RESPONSE_TOO_LARGE, status=answer.status)
        try:
            return Succeeded(value=parse(answer.body), status=answer.status)
        except ValueError:
            return Unknown(kind=UnknownKind.MALFORMED_RESPONSE, status=answer.status)
