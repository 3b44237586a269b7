"""Contract v1.1 at the provider edge: extras read when sent, optional operations, retry ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.offered import NOT_OFFERED_TYPE
from adapters.ppu_v3.simulator.config import Operation, SimProviderConfig, UtilityCoverage
from adapters.ppu_v3.simulator.server import running_simulator
from service.domain.money import Money
from service.domain.provider_results import Failed, FailureKind, Succeeded
from service.ports.provider import KeyChangeConfirmation, KeyChangeRequest, PurchaseNotification
from tests.integration.providers.conftest import CITY, lookup, purchase, settings_for, sim_config
from tests.integration.providers.test_simulator_reference import new_id, post, transaction

pytestmark = pytest.mark.integration

GENEROUS = UtilityCoverage(
    utility_id="GEN",
    name="Generous Town",
    prefixes=["0555"],
    arrears=12345,
    tariff_blocks=True,
    tax_total=False,
    vat_invoice_number=True,
    rate_cents_per_unit=100.0,
)


def _key_change(meter: str = "TST001") -> KeyChangeRequest:
    return KeyChangeRequest(
        request_id=new_id(),
        institution_id="270001",
        meter_number=meter,
        requested_at=datetime.now(UTC),
    )


def _confirmation(request_id: str, confirmation_id: str | None = None) -> KeyChangeConfirmation:
    return KeyChangeConfirmation(
        confirmation_id=confirmation_id or new_id(),
        request_id=request_id,
        confirmed_at=datetime.now(UTC),
    )


async def test_lookup_extras_from_a_provider_that_sends_them() -> None:
    """Min, max, arrears and free units due come through as the provider sent them."""
    async with (
        running_simulator(sim_config(utilities=[GENEROUS, CITY])) as sim,
        PpuV3Client(settings=settings_for(sim.base_url)) as client,
    ):
        outcome = await client.lookup_meter(lookup("05550000001"))
    assert isinstance(outcome, Succeeded)
    info = outcome.value
    assert info.arrears == Money(value=12345, currency="ZAR")
    assert info.min_amount == Money(value=500, currency="ZAR")
    assert info.max_amount == Money(value=300_000, currency="ZAR")
    assert info.free_units_due is False


async def test_lookup_extras_from_a_provider_that_does_not(client: PpuV3Client) -> None:
    """The TST meters send no arrears and no bsstDue: both stay None, nothing is invented."""
    outcome = await client.lookup_meter(lookup("TST001"))
    assert isinstance(outcome, Succeeded)
    assert outcome.value.arrears is None
    assert outcome.value.free_units_due is None
    assert outcome.value.min_amount == Money(value=10000, currency="ZAR")


async def test_receipt_with_tariff_blocks_charges_and_receipt_numbers(client: PpuV3Client) -> None:
    """TST004's tariff blocks and TST007's charges with their tax type reach the receipt."""
    blocks = await client.purchase_token(purchase("TST004", 10000))
    charged = await client.purchase_token(purchase("TST007", 20000))
    assert isinstance(blocks, Succeeded)
    assert isinstance(charged, Succeeded)
    (token,) = blocks.value.tokens
    assert [(s.units, s.rate) for s in token.tariff or ()] == [
        (Decimal("50.0"), Decimal("117.3")),
        (Decimal("23.8"), Decimal("173.74")),
    ]
    assert token.receipt_number == "RCT40001"
    assert (token.tax, token.tax_type, token.tax_rate) == (1400, "VAT", Decimal("14.0"))
    (debt,) = charged.value.debt_recovery
    assert (debt.tax, debt.tax_type, debt.receipt_number) == (700, "VAT", "RCT70002")
    assert debt.balance == Money(value=27300, currency="ZAR")
    (service,) = charged.value.service_charges
    assert service.receipt_number is None


async def test_receipt_without_tariff_blocks_or_tax_total() -> None:
    """A provider that sends no tariffCalc keeps None; one without taxTotal keeps token tax."""
    async with (
        running_simulator(sim_config(utilities=[GENEROUS, CITY])) as sim,
        PpuV3Client(settings=settings_for(sim.base_url)) as client,
    ):
        plain = await client.purchase_token(purchase("04125550101", 11500))
        generous = await client.purchase_token(purchase("05550000002", 11500))
    assert isinstance(plain, Succeeded)
    assert isinstance(generous, Succeeded)
    assert all(t.tariff is None for t in plain.value.tokens)
    assert plain.value.tax_total == Money(value=1500, currency="ZAR")
    assert plain.value.vat_invoice_number is None
    (token,) = generous.value.tokens
    assert token.tariff is not None
    assert len(token.tariff) == 2
    assert generous.value.tax_total is None
    assert token.tax == 1500
    assert generous.value.vat_invoice_number is not None


async def test_key_change_confirmation_is_delivered_once(client: PpuV3Client) -> None:
    """A key change is confirmed with 202; the same advice again counts as already delivered."""
    request = _key_change()
    assert isinstance(await client.request_key_change(request), Succeeded)
    confirmation = _confirmation(request.request_id)
    first = await client.confirm_key_change(confirmation)
    again = await client.confirm_key_change(confirmation)
    assert isinstance(first, Succeeded)
    assert not first.value.already_delivered
    assert isinstance(again, Succeeded)
    assert again.value.already_delivered
    assert client.not_offered == frozenset()


async def test_confirming_an_unknown_key_change_is_not_taken_as_not_offered(
    client: PpuV3Client,
) -> None:
    """404 UNABLE_TO_LOCATE_RECORD is the operation's own answer: the provider offers it."""
    outcome = await client.confirm_key_change(_confirmation(new_id()))
    assert isinstance(outcome, Failed)
    assert outcome.kind is FailureKind.NOT_FOUND
    assert client.not_offered == frozenset()


async def test_purchase_notification_reaches_the_provider(client: PpuV3Client) -> None:
    """notifyTokenPurchase names the purchase in its query; the provider answers 202."""
    bought = purchase("TST001", 10000)
    vended = await client.purchase_token(bought)
    assert isinstance(vended, Succeeded)
    notification = PurchaseNotification(
        notification_id=new_id(),
        purchase_id=bought.purchase_id,
        institution_id=bought.institution_id,
        meter_number=bought.meter_number,
        amount=bought.amount,
        receipt=vended.value,
        notified_at=datetime.now(UTC),
    )
    assert isinstance(await client.notify_purchase(notification), Succeeded)


async def test_an_operation_answered_501_is_remembered_as_not_offered() -> None:
    """501 makes the operation not offered; the next call is refused without a request."""
    config = sim_config(unsupported_operations=[Operation.KEY_CHANGE_CONFIRMATION, Operation.TRIAL])
    async with (
        running_simulator(config) as sim,
        PpuV3Client(settings=settings_for(sim.base_url)) as client,
    ):
        first = await client.confirm_key_change(_confirmation(new_id()))
        second = await client.confirm_key_change(_confirmation(new_id()))
        trial = await client.trial_purchase(purchase("TST001", 10000))
        assert client.not_offered == frozenset({"key_change_confirmation", "trial"})
        assert isinstance(await client.lookup_meter(lookup("TST001")), Succeeded)
    assert isinstance(first, Failed)
    assert first.status == 501
    assert isinstance(second, Failed)
    assert second.kind is FailureKind.NOT_IMPLEMENTED
    assert second.status is None
    assert second.error is not None
    assert second.error.error_type == NOT_OFFERED_TYPE
    assert isinstance(trial, Failed)
    assert trial.status == 501


async def test_retry_answers_with_the_retry_requests_own_id_and_time() -> None:
    """Electrum's "Correct id returned": a retry's answer echoes its own id and time."""
    async with (
        running_simulator(SimProviderConfig()) as sim,
        aiohttp.ClientSession(base_url=sim.base_url) as http,
    ):
        pid = new_id()
        status, first = await post(
            http, f"/tokenPurchases/{pid}", transaction(pid, "TST001", 10000)
        )
        assert status == 201
        retry_body: dict[str, Any] = {
            **transaction(str(uuid.uuid4()), "TST001", 10000),
            "time": "2025-03-14T09:27:53.000Z",
        }
        status, answer = await post(http, f"/tokenPurchases/{pid}/retry", retry_body)
        assert status == 201
        assert answer["id"] == retry_body["id"]
        assert answer["time"] == retry_body["time"]
        assert answer["tokens"] == first["tokens"]
        assert len(sim.ledger.vends(pid)) == 1
