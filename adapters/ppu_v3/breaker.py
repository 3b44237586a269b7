"""Per-provider circuit breaker: opens on a run of failures, half-opens, closes on success."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from adapters.ppu_v3.settings import BreakerSettings
from service.domain.provider_results import CircuitState


@dataclass(frozen=True, kw_only=True)
class BreakerSnapshot:
    """What others may read about a breaker: state, failure run, when it opened."""

    state: CircuitState
    consecutive_failures: int
    opened_at: float | None


class CircuitBreaker:
    """Single-threaded (one event loop) breaker with an injectable monotonic clock."""

    def __init__(
        self, settings: BreakerSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Start closed."""
        self._settings = settings
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at: float | None = None
        self._probes = 0

    @property
    def state(self) -> CircuitState:
        """The state now; an open circuit whose wait is over reads as half-open."""
        if self._state is CircuitState.OPEN and self._wait_over():
            return CircuitState.HALF_OPEN
        return self._state

    def snapshot(self) -> BreakerSnapshot:
        """A consistent read of the breaker for metrics and routing."""
        return BreakerSnapshot(
            state=self.state, consecutive_failures=self._failures, opened_at=self._opened_at
        )

    def try_acquire(self) -> bool:
        """Ask to send a request; in half-open only a limited number of probes may go."""
        if self._state is CircuitState.OPEN and self._wait_over():
            self._state = CircuitState.HALF_OPEN
            self._probes = 0
        if self._state is CircuitState.CLOSED:
            return True
        if self._state is CircuitState.HALF_OPEN and self._probes < self._settings.half_open_probes:
            self._probes += 1
            return True
        return False

    def record_success(self) -> None:
        """The provider answered: close the circuit and forget the failure run."""
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = None
        self._probes = 0

    def record_failure(self) -> None:
        """A health failure: a failed probe reopens, a long enough run opens."""
        self._failures += 1
        run_too_long = self._failures >= self._settings.failure_threshold
        if self._state is CircuitState.HALF_OPEN or (
            self._state is CircuitState.CLOSED and run_too_long
        ):
            self._open()

    def release(self) -> None:
        """A request ended with no verdict on health (e.g. cancelled): free its probe slot."""
        if self._state is CircuitState.HALF_OPEN and self._probes > 0:
            self._probes -= 1

    def _open(self) -> None:
        """Open now and start the wait before probing."""
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._probes = 0

    def _wait_over(self) -> bool:
        """Tell whether the open circuit has waited long enough to probe."""
        return self._opened_at is not None and (
            self._clock() - self._opened_at >= self._settings.open_seconds
        )
