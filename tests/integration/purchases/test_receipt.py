"""Contract v1.1 end to end: the full receipt and the till's lookup details, sent or not sent."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.ppu_v3.simulator.config import UtilityCoverage
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, outcome, provider
from tests.support.events import lookup, purchase
from tests.support.switch import RunningSwitch

pytestmark = pytest.mark.integration

ZAR = "ZAR"
DETAILED = UtilityCoverage(
    utility_id="CPW",
    name="City Power",
    prefixes=["0412"],
    arrears=2500,
    tariff_blocks=True,
    tax_total=False,
    vat_invoice_number=True,
    rate_cents_per_unit=100.0,
)
ESKOM = UtilityCoverage(utility_id="ESK", name="Eskom Direct", prefixes=["1400"], eskom_vat=True)
TERSE = UtilityCoverage(
    utility_id="CPW", name="City Power", prefixes=["0412"], amount_limits=False, free_units=50.0
)


async def _completed(sw: RunningSwitch, meter: str) -> dict[str, Any]:
    request = lookup(meter)
    await sw.publish(Topic.LOOKUP_REQUESTED, request)
    (done,) = await sw.wait_for(
        Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id
    )
    return done


async def test_a_detailed_provider_fills_the_receipt_and_the_till(switch: SwitchFactory) -> None:
    """Tariff blocks, receipt numbers, tax type, invoice number, arrears; VAT from token tax."""
    async with switch(provider("P1", DETAILED)) as sw:
        done = await _completed(sw, "04126660001")
        assert done["arrears"] == {"value": 2500, "currency": ZAR}
        assert done["min_amount"] == {"value": 500, "currency": ZAR}
        assert done["max_amount"] == {"value": 300000, "currency": ZAR}
        assert done["free_units_due"] is False
        assert done["details_provider_id"] == "P1"
        kind, event = await outcome(sw, purchase("04126660001", 11500))
        assert kind == "issued"
        (token,) = event["tokens"]
        assert token["tariff_blocks"] == [
            {"units": 50.0, "rate": 80.0},
            {"units": 50.0, "rate": 120.0},
        ]
        assert token["receipt_number"].startswith("CPW-")
        assert (token["tax_type"], token["tax_rate"]) == ("VAT", 15.0)
        assert token["tax"] == {"value": 1500, "currency": ZAR}
        assert event["vat"]["amount"] == {"value": 1500, "currency": ZAR}
        reported = event["vat"]["provider_reported"]
        assert reported["amount"] is None
        assert reported["token_tax"] == {"value": 1500, "currency": ZAR}
        assert (reported["rate"], reported["tax_type"]) == (15.0, "VAT")
        assert event["vat_invoice_number"]
        sw.assert_outputs_match_schemas()


async def test_a_plain_provider_leaves_the_extras_null(switch: SwitchFactory) -> None:
    """No tariffCalc, no arrears, no invoice number: null, never invented (rule 15)."""
    async with switch(provider("P1", CITY)) as sw:
        done = await _completed(sw, "04126660002")
        assert done["arrears"] is None
        assert done["details_provider_id"] == "P1"
        kind, event = await outcome(sw, purchase("04126660002", 11500))
        assert kind == "issued"
        assert all(t["tariff_blocks"] is None for t in event["tokens"])
        assert event["vat_invoice_number"] is None
        assert event["charges"] == []
        assert event["vat"]["provider_reported"]["amount"] == {"value": 1500, "currency": ZAR}


async def test_the_test_meters_bring_charges_and_no_till_flags(switch: SwitchFactory) -> None:
    """TST007's charges keep their tax type and receipts; TST meters send no bsstDue or arrears."""
    async with switch(provider("P1").model_copy(update={"test_meters": True})) as sw:
        done = await _completed(sw, "TST007")
        assert done["free_units_due"] is None
        assert done["arrears"] is None
        assert done["min_amount"] == {"value": 20000, "currency": ZAR}
        kind, event = await outcome(sw, purchase("TST007", 20000))
        assert kind == "issued"
        debt, service = event["charges"]
        assert (debt["kind"], debt["receipt_number"], debt["tax_type"]) == (
            "DEBT_RECOVERY",
            "RCT70002",
            "VAT",
        )
        assert debt["tax"] == {"value": 700, "currency": ZAR}
        assert debt["balance"] == {"value": 27300, "currency": ZAR}
        assert (service["kind"], service["receipt_number"], service["description"]) == (
            "SERVICE",
            None,
            None,
        )
        assert event["tokens"][0]["tariff_blocks"] == []
        sw.assert_outputs_match_schemas()


async def test_a_reported_zero_stays_zero(switch: SwitchFactory) -> None:
    """Eskom's 0% and tax 0 are kept as 0 in provider_reported and on the token, not null."""
    async with switch(provider("P1", ESKOM)) as sw:
        kind, event = await outcome(sw, purchase("14000000002", 10000))
        assert kind == "issued"
        reported = event["vat"]["provider_reported"]
        assert reported["rate"] == 0
        assert reported["amount"] == {"value": 0, "currency": ZAR}
        assert reported["token_tax"] == {"value": 0, "currency": ZAR}
        assert event["tokens"][-1]["tax"] == {"value": 0, "currency": ZAR}
        assert event["tokens"][-1]["tax_rate"] == 0


async def test_a_terse_provider_sends_no_limits_and_untaxed_free_tokens(
    switch: SwitchFactory,
) -> None:
    """No min/max in the lookup stays null; a free token without tax figures keeps them null."""
    async with switch(provider("P1", TERSE)) as sw:
        done = await _completed(sw, "04126660003")
        assert (done["min_amount"], done["max_amount"]) == (None, None)
        assert done["free_units_due"] is True
        kind, event = await outcome(sw, purchase("04126660003", 0))
        assert kind == "issued"
        (free,) = event["tokens"]
        assert free["kind"] == "FREE_BASIC"
        assert (free["tax_type"], free["tax_rate"]) == (None, None)
        assert free["receipt_number"].startswith("FBE-")


async def test_nobody_answering_leaves_every_till_detail_null(switch: SwitchFactory) -> None:
    """A meter no provider knows: BLOCKED, and no provider's details to show."""
    async with switch(provider("P1", CITY)) as sw:
        done = await _completed(sw, "07130000001")
        assert done["outcome"] == "BLOCKED"
        assert done["details_provider_id"] is None
        assert (done["min_amount"], done["arrears"], done["free_units_due"]) == (None, None, None)
