"""Safe resends: retries recover issued tokens once; lookups resend; purchases never do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.simulator.config import Fault, Operation
from adapters.ppu_v3.simulator.server import RunningSimulator
from service.domain.money import Money
from service.domain.provider_results import Failed, FailureKind, Succeeded, Unknown
from service.ports.provider import (
    ConfirmationAdvice,
    FaultReport,
    KeyChangeRequest,
    ReprintRequest,
    ReversalAdvice,
    ReversalReason,
)
from tests.integration.providers.conftest import lookup, purchase

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("fault", [Fault.HANG, Fault.DROP, Fault.ERROR_500, Fault.ERROR_504])
async def test_retry_recovers_issued_tokens_with_one_vend(
    client: PpuV3Client, sim: RunningSimulator, fault: Fault
) -> None:
    """Tokens issued before the answer was lost come back on retry; the ledger has one vend."""
    sim.controls.inject(fault, operation=Operation.PURCHASE)
    request = purchase("TST003", 10000)
    first = await client.purchase_token(request)
    assert isinstance(first, Unknown)
    issued = sim.ledger.vends(request.purchase_id)
    assert len(issued) == 1
    recovered = await client.retry_purchase(request)
    assert isinstance(recovered, Succeeded)
    assert tuple(t.token for t in recovered.value.tokens) == issued[0].tokens
    again = await client.retry_purchase(request)
    assert isinstance(again, Succeeded)
    assert len(sim.ledger.vends(request.purchase_id)) == 1


async def test_retry_of_a_purchase_never_vended_vends_once(
    client: PpuV3Client, sim: RunningSimulator
) -> None:
    """TST011 times out upstream without a vend; the retry issues the token, once."""
    request = purchase("TST011", 10000)
    first = await client.purchase_token(request)
    assert isinstance(first, Unknown)
    assert sim.ledger.vends(request.purchase_id) == []
    recovered = await client.retry_purchase(request)
    assert isinstance(recovered, Succeeded)
    assert [v.via for v in sim.ledger.vends(request.purchase_id)] == ["retry"]


async def test_purchase_is_never_resent(client: PpuV3Client, sim: RunningSimulator) -> None:
    """A 500 on a purchase is not retried by the adapter: the provider saw one request."""
    sim.controls.inject(Fault.ERROR_500, count=1, operation=Operation.PURCHASE)
    request = purchase("TST001", 10000)
    outcome = await client.purchase_token(request)
    assert isinstance(outcome, Unknown)
    assert list(sim.state.purchases) == [request.purchase_id]
    assert len(sim.ledger.vends()) == 1


async def test_lookup_is_resent_with_a_fresh_id(client: PpuV3Client, sim: RunningSimulator) -> None:
    """A lookup that met a 500 is resent with a new wire id and succeeds."""
    sim.controls.inject(Fault.ERROR_500, count=1, operation=Operation.LOOKUP)
    outcome = await client.lookup_meter(lookup("TST001"))
    assert isinstance(outcome, Succeeded)
    lookup_ids = [key for space, key in sim.state.seen_ids if space == "request"]
    assert len(set(lookup_ids)) == 2


async def test_advices_are_delivered_and_duplicates_count_as_delivered(
    client: PpuV3Client, sim: RunningSimulator
) -> None:
    """202 delivers; the same advice again is 400 DUPLICATE_RECORD, read as already delivered."""
    request = purchase("TST001", 10000)
    bought = await client.purchase_token(request)
    assert isinstance(bought, Succeeded)
    advice = ConfirmationAdvice(
        advice_id="c-1",
        purchase_id=request.purchase_id,
        advised_at=datetime.now(UTC),
        third_party_refs=bought.value.third_party_refs,
        tendered=Money(value=10000, currency="ZAR"),
    )
    first = await client.confirm_purchase(advice)
    second = await client.confirm_purchase(advice)
    assert isinstance(first, Succeeded)
    assert not first.value.already_delivered
    assert isinstance(second, Succeeded)
    assert second.value.already_delivered
    assert [a.kind for a in sim.ledger.advices(request.purchase_id)] == ["confirmation"]


async def test_reversal_for_an_unknown_purchase_is_not_found(client: PpuV3Client) -> None:
    """An advice about a purchase the provider never saw is 404, failed."""
    advice = ReversalAdvice(
        advice_id="r-1",
        purchase_id="never-sent",
        advised_at=datetime.now(UTC),
        reason=ReversalReason.TIMEOUT,
    )
    outcome = await client.reverse_purchase(advice)
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.NOT_FOUND


async def test_optional_operations(client: PpuV3Client) -> None:
    """Trial, reprint, fault report and key change succeed against the simulator."""
    bought = await client.purchase_token(purchase("TST001", 10000))
    assert isinstance(bought, Succeeded)
    now = datetime.now(UTC)
    trial = await client.trial_purchase(purchase("TST001", 10000))
    reprint = await client.reprint_token(
        ReprintRequest(
            reprint_id="rp-1", institution_id="270001", meter_number="TST001", requested_at=now
        )
    )
    fault = await client.report_fault(
        FaultReport(
            report_id="f-1",
            institution_id="270001",
            meter_number="TST001",
            requested_at=now,
            contact_number="0821234567",
            fault_type="MeterDead",
        )
    )
    key_change = await client.request_key_change(
        KeyChangeRequest(
            request_id="k-1", institution_id="270001", meter_number="TST001", requested_at=now
        )
    )
    assert isinstance(trial, Succeeded)
    assert trial.status == 200
    assert all(t.token is None for t in trial.value.tokens)
    assert isinstance(reprint, Succeeded)
    assert reprint.value.tokens == bought.value.tokens
    assert isinstance(fault, Succeeded)
    assert fault.value.reference is not None
    assert fault.value.reference.endswith("PPUSWTCH")
    assert isinstance(key_change, Succeeded)
    assert [t.kind for t in key_change.value.tokens] == ["KC", "KC"]
