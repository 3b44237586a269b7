"""The circuit breaker over real HTTP: opens on unknowns, half-opens to probe, closes."""

from __future__ import annotations

import pytest

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.simulator.config import Fault
from adapters.ppu_v3.simulator.server import RunningSimulator
from service.domain.provider_results import (
    CircuitState,
    Failed,
    FailureKind,
    Succeeded,
    Unknown,
)
from tests.integration.providers.conftest import purchase, settings_for

pytestmark = pytest.mark.integration


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self) -> float:
        """The current time."""
        return self.now


async def _open_the_circuit(client: PpuV3Client, sim: RunningSimulator) -> None:
    """Three unknown purchases in a row (the configured threshold)."""
    sim.controls.go_down(Fault.ERROR_500)
    for _ in range(3):
        assert isinstance(await client.purchase_token(purchase("TST001", 10000)), Unknown)


async def test_breaker_opens_half_opens_and_closes(sim: RunningSimulator) -> None:
    """A run of unknowns opens it; while open nothing is sent; a good probe closes it."""
    clock = Clock()
    async with PpuV3Client(settings=settings_for(sim.base_url), clock=clock) as client:
        await _open_the_circuit(client, sim)
        assert client.circuit_state is CircuitState.OPEN
        seen = len(sim.state.purchases)
        refused = await client.purchase_token(purchase("TST001", 10000))
        assert isinstance(refused, Failed)
        assert refused.kind is FailureKind.CIRCUIT_OPEN
        assert len(sim.state.purchases) == seen
        sim.controls.come_back()
        clock.now += 5.0
        assert client.breaker_snapshot().state is CircuitState.HALF_OPEN
        probe = await client.purchase_token(purchase("TST001", 10000))
        assert isinstance(probe, Succeeded)
        assert client.breaker_snapshot().state is CircuitState.CLOSED
        assert client.breaker_snapshot().consecutive_failures == 0


async def test_failed_probe_reopens(sim: RunningSimulator) -> None:
    """A probe that meets the outage again reopens the circuit."""
    clock = Clock()
    async with PpuV3Client(settings=settings_for(sim.base_url), clock=clock) as client:
        await _open_the_circuit(client, sim)
        clock.now += 5.0
        probe = await client.purchase_token(purchase("TST001", 10000))
        assert isinstance(probe, Unknown)
        assert client.circuit_state is CircuitState.OPEN


async def test_declines_do_not_open_the_circuit(client: PpuV3Client) -> None:
    """Declines prove the provider is alive: any number keep the circuit closed."""
    for _ in range(5):
        outcome = await client.purchase_token(purchase("TST001", 1))
        assert isinstance(outcome, Failed)
    assert client.circuit_state is CircuitState.CLOSED
