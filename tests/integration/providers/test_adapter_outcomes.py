"""Every outcome class, adapter against the simulator over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from decimal import Decimal

import pytest
from structlog.testing import capture_logs

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.simulator.config import Fault, Operation
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulator
from service.domain.money import Money
from service.domain.provider_results import (
    Failed,
    FailureKind,
    Succeeded,
    Unknown,
    UnknownKind,
)
from tests.integration.providers.conftest import (
    SHORT,
    lookup,
    purchase,
    settings_for,
    sim_config,
)

pytestmark = pytest.mark.integration


async def test_lookup_success(client: PpuV3Client) -> None:
    """A covered meter is found, with the provider's utility name and limits."""
    outcome = await client.lookup_meter(lookup("04121234567"))
    assert isinstance(outcome, Succeeded)
    assert outcome.status == 201
    assert outcome.value.utility.name == "City Power"
    assert outcome.value.min_amount == Money(value=500, currency="ZAR")
    assert outcome.value.free_units_due is True


async def test_lookup_of_an_unknown_meter_is_not_supported(client: PpuV3Client) -> None:
    """UNKNOWN_METER_ID is the recognisable "meter not supported" decline."""
    outcome = await client.lookup_meter(lookup("99999999999"))
    assert isinstance(outcome, Failed)
    assert outcome.meter_not_supported
    assert outcome.error is not None
    assert outcome.error.error_type == "UNKNOWN_METER_ID"


async def test_purchase_success(client: PpuV3Client, sim: RunningSimulator) -> None:
    """A purchase returns its tokens and the simulator records one vend."""
    request = purchase("TST001", 10000)
    outcome = await client.purchase_token(request)
    assert isinstance(outcome, Succeeded)
    assert [t.token for t in outcome.value.tokens] == ["0" * 20]
    assert len(sim.ledger.vends(request.purchase_id)) == 1


async def test_decline_is_failed_with_the_error_detail(client: PpuV3Client) -> None:
    """A wrong amount is a plain decline carrying the provider's ErrorDetail."""
    outcome = await client.purchase_token(purchase("TST001", 999))
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.DECLINED
    assert outcome.error is not None
    assert outcome.error.error_type == "INVALID_AMOUNT"


async def test_municipality_block_is_distinct_from_not_supported(client: PpuV3Client) -> None:
    """METER_ID_BLOCKED is its own kind, never "not supported"."""
    outcome = await client.purchase_token(purchase("04120000666", 5000))
    assert isinstance(outcome, Failed)
    assert outcome.meter_blocked
    assert not outcome.meter_not_supported


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.ERROR_500, UnknownKind.SERVER_ERROR),
        (Fault.ERROR_504, UnknownKind.GATEWAY_TIMEOUT),
        (Fault.OUTCOME_UNKNOWN, UnknownKind.OUTCOME_UNKNOWN),
        (Fault.DROP, UnknownKind.CONNECTION_LOST),
        (Fault.MALFORMED, UnknownKind.MALFORMED_RESPONSE),
        (Fault.OVERSIZED, UnknownKind.RESPONSE_TOO_LARGE),
    ],
)
async def test_purchase_faults_are_unknown(
    client: PpuV3Client, sim: RunningSimulator, fault: Fault, expected: UnknownKind
) -> None:
    """500, 504, OUTCOME_UNKNOWN, a dropped connection and unreadable bodies are unknown."""
    sim.controls.inject(fault, operation=Operation.PURCHASE)
    outcome = await client.purchase_token(purchase("TST001", 10000))
    assert isinstance(outcome, Unknown)
    assert outcome.kind is expected


async def test_503_is_failed(client: PpuV3Client, sim: RunningSimulator) -> None:
    """503 means nothing was done: failed, and no vend happened."""
    sim.controls.inject(Fault.ERROR_503, operation=Operation.PURCHASE)
    request = purchase("TST001", 10000)
    outcome = await client.purchase_token(request)
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.UNAVAILABLE
    assert sim.ledger.vends(request.purchase_id) == []


async def test_hang_past_the_timeout_is_unknown_within_the_timeout(
    client: PpuV3Client, sim: RunningSimulator
) -> None:
    """A provider that hangs gives an unknown outcome once our timeout passes."""
    sim.controls.inject(Fault.HANG, operation=Operation.PURCHASE)
    started = time.monotonic()
    outcome = await client.purchase_token(purchase("TST001", 10000))
    assert isinstance(outcome, Unknown)
    assert outcome.kind is UnknownKind.TIMEOUT
    assert time.monotonic() - started < SHORT + 1.5  # generous: only guards against hanging


async def test_late_answer_after_a_timeout_is_logged_and_ignored() -> None:
    """The answer that arrives after the timeout is logged; the outcome stays unknown."""
    config = sim_config()
    config = config.model_copy(
        update={"faults": config.faults.model_copy(update={"hang_seconds": SHORT + 0.2})}
    )
    async with (
        running_simulator(config) as sim,
        PpuV3Client(settings=settings_for(sim.base_url, late_response_grace_seconds=3.0)) as client,
    ):
        sim.controls.inject(Fault.HANG, operation=Operation.PURCHASE)
        with capture_logs() as logs:
            outcome = await client.purchase_token(purchase("TST001", 10000))
            for _ in range(100):  # wait for the late answer, bounded so a bug cannot hang
                if any(e["event"] == "ppu_v3.late_response_ignored" for e in logs):
                    break
                await asyncio.sleep(0.05)
    assert isinstance(outcome, Unknown)
    late = [e for e in logs if e["event"] == "ppu_v3.late_response_ignored"]
    assert [e["status"] for e in late] == [201]


async def test_bad_credentials_are_failed(sim: RunningSimulator) -> None:
    """A provider refusing our credentials answers 401: failed, unauthorised."""
    settings = settings_for(sim.base_url, password="wrong")
    async with PpuV3Client(settings=settings) as client:
        outcome = await client.lookup_meter(lookup("TST001"))
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.UNAUTHORISED


async def test_connection_refused_is_failed_unreachable() -> None:
    """Nothing listening: the request never reached anyone, so it is safely failed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with PpuV3Client(settings=settings_for(f"http://127.0.0.1:{port}")) as client:
        outcome = await client.purchase_token(purchase("TST001", 10000))
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.UNREACHABLE


async def test_unsupported_optional_operation_is_not_implemented(sim: RunningSimulator) -> None:
    """A provider without trials answers 501: failed, not implemented."""
    sim.state.config = sim.config.model_copy(update={"unsupported_operations": [Operation.TRIAL]})
    async with PpuV3Client(settings=settings_for(sim.base_url)) as client:
        outcome = await client.trial_purchase(purchase("TST001", 10000))
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.NOT_IMPLEMENTED


async def test_eskom_receipt_and_several_tokens(client: PpuV3Client) -> None:
    """Eskom-style 0 % VAT receipts and several tokens per purchase come through as sent."""
    outcome = await client.purchase_token(purchase("14001234567", 30000))
    assert isinstance(outcome, Succeeded)
    tokens = outcome.value.tokens
    assert len(tokens) == 3
    assert sum(t.amount.value for t in tokens if t.amount) == 30000
    assert all(t.tax == 0 and t.tax_rate == Decimal("0.0") for t in tokens)


async def test_meter_updated_has_no_token_number(client: PpuV3Client) -> None:
    """A smart meter's top-up comes back with no token number and the slip says so."""
    outcome = await client.purchase_token(purchase("04120000777", 5000))
    assert isinstance(outcome, Succeeded)
    assert all(t.token is None for t in outcome.value.tokens)
    assert outcome.value.slip_lines == ("Meter updated",)
