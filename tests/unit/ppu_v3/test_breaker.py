"""The circuit breaker opens on a run of failures, half-opens to probe, closes on success."""

from __future__ import annotations

from adapters.ppu_v3.breaker import CircuitBreaker
from adapters.ppu_v3.settings import BreakerSettings
from service.domain.provider_results import CircuitState


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at zero."""
        self.now = 0.0

    def __call__(self) -> float:
        """The current time."""
        return self.now


def _breaker(clock: FakeClock, *, threshold: int = 3, probes: int = 1) -> CircuitBreaker:
    """A breaker that opens after `threshold` failures for 10 seconds."""
    settings = BreakerSettings(
        failure_threshold=threshold, open_seconds=10.0, half_open_probes=probes
    )
    return CircuitBreaker(settings, clock=clock)


def test_starts_closed_and_lets_requests_through() -> None:
    """A new breaker is closed."""
    breaker = _breaker(FakeClock())
    assert breaker.state is CircuitState.CLOSED
    assert breaker.try_acquire()


def test_opens_after_a_run_of_failures() -> None:
    """Threshold consecutive failures open it; then nothing is let through."""
    breaker = _breaker(FakeClock())
    for _ in range(3):
        breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert not breaker.try_acquire()


def test_a_success_breaks_the_run() -> None:
    """Failures separated by a success never open it."""
    breaker = _breaker(FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.snapshot().consecutive_failures == 2


def test_half_opens_after_the_wait_and_lets_one_probe() -> None:
    """After open_seconds one probe goes; a second request waits for its verdict."""
    clock = FakeClock()
    breaker = _breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now = 9.9
    assert not breaker.try_acquire()
    clock.now = 10.0
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.try_acquire()
    assert not breaker.try_acquire()


def test_successful_probe_closes() -> None:
    """A probe that succeeds closes the circuit and clears the run."""
    clock = FakeClock()
    breaker = _breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now = 10.0
    assert breaker.try_acquire()
    breaker.record_success()
    snapshot = breaker.snapshot()
    assert snapshot.state is CircuitState.CLOSED
    assert snapshot.consecutive_failures == 0
    assert snapshot.opened_at is None


def test_failed_probe_reopens_for_another_wait() -> None:
    """A probe that fails reopens at once, from the probe's time."""
    clock = FakeClock()
    breaker = _breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now = 10.0
    assert breaker.try_acquire()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert breaker.snapshot().opened_at == 10.0
    clock.now = 19.0
    assert not breaker.try_acquire()
    clock.now = 20.0
    assert breaker.try_acquire()


def test_released_probe_frees_its_slot() -> None:
    """A probe that ended without a verdict (cancelled) lets another probe go."""
    clock = FakeClock()
    breaker = _breaker(clock)
    for _ in range(3):
        breaker.record_failure()
    clock.now = 10.0
    assert breaker.try_acquire()
    breaker.release()
    assert breaker.try_acquire()


def test_several_probes_when_configured() -> None:
    """half_open_probes sets how many requests may probe at once."""
    clock = FakeClock()
    breaker = _breaker(clock, probes=2)
    for _ in range(3):
        breaker.record_failure()
    clock.now = 10.0
    assert breaker.try_acquire()
    assert breaker.try_acquire()
    assert not breaker.try_acquire()
