"""The simulator on the Electrum test meters matches the reference, operation by operation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.ppu_v3.simulator.config import SimProviderConfig
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulator

pytestmark = pytest.mark.integration

TOKENS = {
    "TST001": ["STD"],
    "TST002": ["BSST"],
    "TST003": ["STD", "BSST"],
    "TST004": ["STD"],
    "TST005": ["STD", "REFUND"],
    "TST006": ["KC", "KC", "STD"],
    "TST007": ["STD"],
    "TST008": ["STD"],
    "TST009": ["STD"],
    "TST010": [],
}
AMOUNTS = {"TST002": 0, "TST005": 5000, "TST007": 20000, "TST008": 20000, "TST009": 20000}


def transaction(message_id: str, meter: str, amount: int | None = None) -> dict[str, Any]:
    """A valid request body, as the reference's example shapes it."""
    body: dict[str, Any] = {
        "id": message_id,
        "time": "2025-03-14T09:26:53.589Z",
        "originator": {
            "institution": {"id": "270001", "name": "Corner Shop Group"},
            "terminalId": "T0000042",
            "merchant": {
                "merchantType": "5411",
                "merchantId": "000000000012345",
                "merchantName": {
                    "name": "Shop",
                    "city": "Cape Town",
                    "region": "WC",
                    "country": "ZA",
                },
            },
        },
        "client": {"id": "270000", "name": "PPU Switch"},
        "thirdPartyIdentifiers": [],
        "meter": {"meterId": meter},
    }
    if amount is not None:
        body["purchaseAmount"] = {"amount": amount, "currency": "710"}
    return body


@pytest.fixture
async def reference() -> AsyncIterator[tuple[RunningSimulator, aiohttp.ClientSession]]:
    """The default simulator (TST meters, no credentials) and a plain HTTP session."""
    async with (
        running_simulator(SimProviderConfig(slow_meter_seconds=0.2)) as sim,
        aiohttp.ClientSession(base_url=sim.base_url) as http,
    ):
        yield sim, http


async def post(http: aiohttp.ClientSession, path: str, body: Any) -> tuple[int, Any]:
    """POST under the base path; the status and the JSON body (None when empty)."""
    async with http.post("/prepaidutility/v3" + path, json=body) as response:
        text = await response.text()
        return response.status, (await response.json() if text else None)


def new_id() -> str:
    """A v4 UUID string."""
    return str(uuid.uuid4())


@pytest.mark.parametrize("meter", [*sorted(TOKENS), "TST011"])
async def test_lookup_of_each_test_meter(reference: Any, meter: str) -> None:
    """201 with min and max both the test amount, the test utility, and the echoed id."""
    _, http = reference
    lookup_id = new_id()
    status, body = await post(http, f"/meterLookups/{lookup_id}", transaction(lookup_id, meter))
    assert status == 201
    assert body["id"] == lookup_id
    assert body["time"] == "2025-03-14T09:26:53.589Z"
    assert (
        body["minAmount"]
        == body["maxAmount"]
        == {"amount": AMOUNTS.get(meter, 10000), "currency": "710"}
    )
    assert body["utility"]["name"] == "Electrum Test Server"
    assert body["meter"]["supplyGroupCode"] == "000001"


@pytest.mark.parametrize("meter", sorted(TOKENS))
async def test_purchase_of_each_test_meter(reference: Any, meter: str) -> None:
    """201 with the token types of the reference table, in order."""
    _, http = reference
    pid = new_id()
    status, body = await post(
        http, f"/tokenPurchases/{pid}", transaction(pid, meter, AMOUNTS.get(meter, 10000))
    )
    assert status == 201
    assert [t["tokenType"] for t in body["tokens"]] == TOKENS[meter]


async def test_charges_of_tst007_to_tst009(reference: Any) -> None:
    """Debt recovery and service charges as in the reference, without descriptions."""
    _, http = reference
    counts = {}
    for meter in ("TST007", "TST008", "TST009"):
        pid = new_id()
        _, body = await post(http, f"/tokenPurchases/{pid}", transaction(pid, meter, 20000))
        counts[meter] = (len(body["debtRecoveryCharges"]), len(body["serviceCharges"]))
        assert all("description" not in c for c in body["serviceCharges"])
    assert counts == {"TST007": (1, 1), "TST008": (2, 0), "TST009": (0, 2)}


async def test_tst004_tariff_blocks(reference: Any) -> None:
    """TST004's token is all ones with two tariff blocks."""
    _, http = reference
    pid = new_id()
    _, body = await post(http, f"/tokenPurchases/{pid}", transaction(pid, "TST004", 10000))
    token = body["tokens"][0]
    assert token["token"] == "1" * 20
    assert token["tariffCalc"] == [{"units": 50.0, "rate": 117.30}, {"units": 23.8, "rate": 173.74}]


async def test_purchase_checks_in_reference_order(reference: Any) -> None:
    """Wrong amount, unknown meter, path/body mismatch and a reused id, each as specified."""
    _, http = reference
    pid = new_id()
    assert (await post(http, f"/tokenPurchases/{pid}", transaction(pid, "TST001", 1)))[1][
        "errorType"
    ] == "INVALID_AMOUNT"
    status, body = await post(http, f"/tokenPurchases/{pid}", transaction(pid, "TST001", 10000))
    assert (status, body["errorType"]) == (400, "DUPLICATE_RECORD")
    other = new_id()
    status, body = await post(
        http, f"/tokenPurchases/{other}", transaction(new_id(), "TST001", 10000)
    )
    assert (status, body["errorType"]) == (400, "FORMAT_ERROR")
    status, body = await post(http, f"/tokenPurchases/{other}", transaction(other, "NOPE1", 10000))
    assert (status, body["errorType"]) == (400, "UNKNOWN_METER_ID")


async def test_validation_errors_are_format_errors(reference: Any) -> None:
    """A terminal id that is not 8 characters, or no JSON object at all, is FORMAT_ERROR."""
    _, http = reference
    lookup_id = new_id()
    body = transaction(lookup_id, "TST001")
    body["originator"]["terminalId"] = "123"
    status, answer = await post(http, f"/meterLookups/{lookup_id}", body)
    assert (status, answer["errorType"]) == (400, "FORMAT_ERROR")
    assert answer["detailMessage"][0]["field"] == "terminalId"
    status, answer = await post(http, f"/meterLookups/{lookup_id}", [])
    assert (status, answer["errorType"]) == (400, "FORMAT_ERROR")


async def test_tst011_times_out_upstream_then_retry_succeeds(reference: Any) -> None:
    """TST011's purchase waits then answers 504; its retry answers 201 with one STD token."""
    _, http = reference
    pid = new_id()
    body = transaction(pid, "TST011", 10000)
    status, answer = await post(http, f"/tokenPurchases/{pid}", body)
    assert (status, answer["errorType"]) == (504, "UPSTREAM_UNAVAILABLE")
    status, answer = await post(http, f"/tokenPurchases/{pid}/retry", body)
    assert status == 201
    assert [t["receiptNum"] for t in answer["tokens"]] == ["RCT10001"]


async def test_advices_are_acknowledged_per_their_rules(reference: Any) -> None:
    """202 with no body; a reused advice id is a duplicate; an unknown purchase is 404."""
    sim, http = reference
    pid = new_id()
    await post(http, f"/tokenPurchases/{pid}", transaction(pid, "TST001", 10000))
    cid, rid = new_id(), new_id()
    advice = {
        "id": cid,
        "requestId": pid,
        "time": "2025-03-14T09:27:45.020Z",
        "thirdPartyIdentifiers": [],
    }
    assert await post(http, f"/tokenPurchases/{pid}/confirmations/{cid}", advice) == (202, None)
    status, answer = await post(http, f"/tokenPurchases/{pid}/confirmations/{cid}", advice)
    assert (status, answer["errorType"]) == (400, "DUPLICATE_RECORD")
    reversal = {**advice, "id": rid, "reversalReason": "TIMEOUT"}
    assert await post(http, f"/tokenPurchases/{pid}/reversals/{rid}", reversal) == (202, None)
    lost = {**reversal, "id": new_id(), "requestId": new_id()}
    status, answer = await post(http, f"/tokenPurchases/{pid}/reversals/{lost['id']}", lost)
    assert (status, answer["errorType"]) == (404, "UNABLE_TO_LOCATE_RECORD")
    assert [a.kind for a in sim.ledger.advices(pid)] == ["confirmation", "reversal"]


async def test_fault_report_and_key_change(reference: Any) -> None:
    """Fault reference is the time text then the terminal id; key change gives two KC tokens."""
    _, http = reference
    fid, kid = new_id(), new_id()
    report = {**transaction(fid, "TST001"), "contactNumber": "0821234567", "faultType": "MeterDead"}
    status, answer = await post(http, f"/faultReports/{fid}", report)
    assert status == 201
    assert answer["reference"] == "2025-03-14T09:26:53.589ZT0000042"
    assert answer["description"] == "Fault description to be printed on receipt"
    status, answer = await post(http, f"/keyChangeTokenRequests/{kid}", transaction(kid, "TST006"))
    assert status == 201
    assert [t["token"] for t in answer["tokens"]] == ["1" * 20, "2" * 20]
