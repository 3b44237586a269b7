"""One logical call to a provider: breaker, safe retries, classification, one log line."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from adapters.ppu_v3 import from_wire
from adapters.ppu_v3.breaker import CircuitBreaker
from adapters.ppu_v3.classify import (
    classify_status,
    classify_transport_error,
    counts_against_provider,
    is_success,
)
from adapters.ppu_v3.errors import PpuTransportError
from adapters.ppu_v3.resends import Resends, RetryPolicy
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


@dataclass(frozen=True, kw_only=True)
class Call:
    """What one operation sends: path and body built per attempt, timeout, retry policy."""

    operation: str
    build: Callable[[], tuple[str, dict[str, Any]]]
    timeout: float
    policy: RetryPolicy
    request_id: str


class CallRunner:
    """Runs calls for one provider through its transport and breaker."""

    def __init__(
        self, *, settings: ProviderSettings, transport: ProviderTransport, breaker: CircuitBreaker
    ) -> None:
        """Bind the provider's settings, transport and breaker."""
        self._settings = settings
        self._transport = transport
        self._breaker = breaker
        self._resends = {policy: Resends.of(settings, policy) for policy in RetryPolicy}

    async def run(self, call: Call, parse: Callable[[bytes], T]) -> Succeeded[T] | Failed | Unknown:
        """Send a call and classify what came back; never raises for provider behaviour."""
        started = time.monotonic()
        if not self._breaker.try_acquire():
            outcome: Succeeded[T] | Failed | Unknown = Failed(kind=FailureKind.CIRCUIT_OPEN)
        else:
            outcome = await self._send(call, parse)
        # DEBUG: an event's INFO line is the engine's; SREs read calls from the metrics.
        _log.debug(
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

        async def attempt() -> RawAnswer:
            """One attempt: path and body built afresh (a lookup's wire id is new each time)."""
            path, payload = call.build()
            return await self._transport.post(path, payload, wait_seconds=call.timeout)

        return await self._resends[call.policy].send(attempt)

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
