"""Fixtures: simulated providers on loopback and adapter clients pointed at them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.settings import BreakerSettings, OperationTimeouts, ProviderSettings
from adapters.ppu_v3.simulator.config import SimProviderConfig, UtilityCoverage
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulator
from service.domain.money import Money
from service.ports.provider import LookupRequest, PurchaseRequest

SHORT = 0.4  # seconds: the adapter's timeout in these tests
USERNAME = "switch"
PASSWORD = "sim-secret"

CITY = UtilityCoverage(
    utility_id="CPW",
    name="City Power",
    prefixes=["0412"],
    blocked=["04120000666"],
    meter_updated=["04120000777"],
    free_units=50.0,
    min_amount=500,
    max_amount=300_000,
)
ESKOM = UtilityCoverage(
    utility_id="ESK", name="Eskom Direct", prefixes=["1400"], eskom_vat=True, tokens_per_purchase=3
)


def sim_config(**changes: Any) -> SimProviderConfig:
    """A provider serving the TST meters and two utilities, with credentials and fast faults."""
    base = SimProviderConfig(
        provider_id="90001",
        name="Sim One",
        username=USERNAME,
        password=PASSWORD,
        slow_meter_seconds=2.0,
        utilities=[CITY, ESKOM],
    )
    base = base.model_copy(update={"faults": base.faults.model_copy(update={"hang_seconds": 2.0})})
    return base.model_copy(update=changes)


def settings_for(base_url: str, **changes: Any) -> ProviderSettings:
    """Adapter settings with short timeouts pointed at a simulator."""
    fields: dict[str, Any] = dict(
        provider_id="90001",
        name="Sim One",
        base_url=base_url,
        username=USERNAME,
        password=PASSWORD,
        timeouts=OperationTimeouts(
            lookup=SHORT,
            purchase=SHORT,
            retry=SHORT,
            advice=SHORT,
            trial=SHORT,
            reprint=SHORT,
            fault_report=SHORT,
            key_change=SHORT,
        ),
        late_response_grace_seconds=0.5,
        retry_backoff_seconds=0.0,
        breaker=BreakerSettings(failure_threshold=3, open_seconds=5.0),
    )
    return ProviderSettings.model_validate({**fields, **changes})


def purchase(meter: str, cents: int) -> PurchaseRequest:
    """A new purchase with a fresh id."""
    return PurchaseRequest(
        purchase_id=str(uuid.uuid4()),
        institution_id="270001",
        meter_number=meter,
        amount=Money(value=cents, currency="ZAR"),
        requested_at=datetime.now(UTC),
    )


def lookup(meter: str) -> LookupRequest:
    """A lookup with a fresh id."""
    return LookupRequest(
        lookup_id=str(uuid.uuid4()),
        institution_id="270001",
        meter_number=meter,
        requested_at=datetime.now(UTC),
    )


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    """One simulated provider on an ephemeral loopback port."""
    async with running_simulator(sim_config()) as running:
        yield running


@pytest.fixture
async def client(sim: RunningSimulator) -> AsyncIterator[PpuV3Client]:
    """An adapter client for the simulated provider."""
    async with PpuV3Client(settings=settings_for(sim.base_url)) as opened:
        yield opened
