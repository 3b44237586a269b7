"""The switch's provider recorders, and the decorator that feeds them (no I/O)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from service.domain.provider_results import CircuitState
from service.observability.provider import ObservedProvider
from service.observability.recorder import ProviderReading, ProviderRecorder
from service.ports.provider import ProviderPort


def _circuit_of(provider: ProviderPort) -> Callable[[], CircuitState]:
    return lambda: provider.circuit_state


def _not_offered_of(provider: ProviderPort) -> Callable[[], frozenset[str]]:
    return lambda: provider.not_offered


class Observatory:
    """One recorder per provider; `wrap` puts the providers behind their recorders."""

    def __init__(self, *, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._recorders: dict[str, ProviderRecorder] = {}

    def wrap(self, providers: Mapping[str, ProviderPort]) -> dict[str, ProviderPort]:
        """The same providers, each timed and counted; the switch must use these."""
        wrapped: dict[str, ProviderPort] = {}
        for provider_id, provider in providers.items():
            recorder = ProviderRecorder(
                provider_id=provider_id,
                window_s=self.window_s,
                circuit=_circuit_of(provider),
                clock=self._clock,
                not_offered=_not_offered_of(provider),
            )
            self._recorders[provider_id] = recorder
            wrapped[provider_id] = ObservedProvider(provider, recorder)
        return wrapped

    def readings(self) -> list[ProviderReading]:
        """Every provider's figures now, in provider order."""
        return [self._recorders[pid].reading() for pid in sorted(self._recorders)]
