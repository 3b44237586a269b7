"""Simulator features beyond the test meters: free units, controls, ledger, the CLI process."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.simulator.config import Latency, SimProviderConfig
from adapters.ppu_v3.simulator.server import running_simulator
from service.domain.provider_results import Failed, Succeeded
from tests.integration.providers.conftest import CITY, lookup, purchase, settings_for, sim_config

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


class Calendar:
    """A wall clock the test can move to another month."""

    def __init__(self) -> None:
        """Start in March 2025."""
        self.now = datetime(2025, 3, 14, tzinfo=UTC)

    def __call__(self) -> datetime:
        """The current time."""
        return self.now


async def test_month_first_purchase_brings_the_free_token_first() -> None:
    """The month's first purchase returns BSST then STD; the next one only STD; next month again."""
    calendar = Calendar()
    async with (
        running_simulator(sim_config(), now=calendar) as sim,
        PpuV3Client(settings=settings_for(sim.base_url)) as client,
    ):
        kinds = []
        for month in (3, 3, 4):
            calendar.now = calendar.now.replace(month=month)
            outcome = await client.purchase_token(purchase("04125550001", 10000))
            assert isinstance(outcome, Succeeded)
            kinds.append([t.kind for t in outcome.value.tokens])
    assert kinds == [["BSST", "STD"], ["STD"], ["BSST", "STD"]]


async def test_zero_amount_gives_only_the_free_token_once(client: PpuV3Client) -> None:
    """Amount 0 with free units due gives the free token; again the same month is declined."""
    first = await client.purchase_token(purchase("04125550002", 0))
    second = await client.purchase_token(purchase("04125550002", 0))
    assert isinstance(first, Succeeded)
    assert [t.kind for t in first.value.tokens] == ["BSST"]
    assert isinstance(second, Failed)
    assert second.error is not None
    assert second.error.error_type == "NO_FREE_UNITS_DUE"


async def test_duplicate_purchase_id_is_declined(client: PpuV3Client) -> None:
    """The same purchase sent twice as new is 400 DUPLICATE_RECORD, and vends once."""
    request = purchase("TST001", 10000)
    assert isinstance(await client.purchase_token(request), Succeeded)
    again = await client.purchase_token(request)
    assert isinstance(again, Failed)
    assert again.error is not None
    assert again.error.error_type == "DUPLICATE_RECORD"


@pytest.fixture
async def controlled() -> AsyncIterator[tuple[Any, aiohttp.ClientSession]]:
    """A simulator and a plain session for its control endpoints."""
    async with (
        running_simulator(sim_config()) as sim,
        aiohttp.ClientSession(base_url=sim.base_url) as http,
    ):
        yield sim, http


async def test_control_endpoint_takes_the_provider_down_and_back(controlled: Any) -> None:
    """POST /_sim/down answers every request with the fault; /_sim/up restores service."""
    sim, http = controlled
    async with PpuV3Client(settings=settings_for(sim.base_url)) as client:
        async with http.post("/_sim/down", json={"fault": "503"}) as response:
            assert (await response.json())["up"] is False
        down = await client.lookup_meter(lookup("TST001"))
        async with http.post("/_sim/up") as response:
            assert (await response.json())["up"] is True
        up = await client.lookup_meter(lookup("TST001"))
    assert isinstance(down, Failed)
    assert down.status == 503
    assert isinstance(up, Succeeded)


async def test_control_endpoint_changes_coverage(controlled: Any) -> None:
    """PUT /_sim/coverage replaces the meters served at run time."""
    sim, http = controlled
    coverage = {"utilities": [{"utility_id": "NEW", "name": "New Town", "prefixes": ["55"]}]}
    async with http.put("/_sim/coverage", json=coverage) as response:
        assert response.status == 200
    async with PpuV3Client(settings=settings_for(sim.base_url)) as client:
        gained = await client.lookup_meter(lookup("55000001"))
        lost = await client.lookup_meter(lookup("04121234567"))
    assert isinstance(gained, Succeeded)
    assert gained.value.utility.name == "New Town"
    assert isinstance(lost, Failed)
    assert lost.meter_not_supported


async def test_control_endpoint_scripts_faults_and_rejects_bad_bodies(controlled: Any) -> None:
    """POST /_sim/faults queues faults; an unknown fault name is a 400."""
    sim, http = controlled
    async with http.post("/_sim/faults", json={"fault": "504", "count": 2}) as response:
        assert (await response.json())["scriptedFaults"][0]["remaining"] == 2
    async with http.post("/_sim/faults", json={"fault": "explode"}) as response:
        assert response.status == 400
    async with PpuV3Client(settings=settings_for(sim.base_url)) as client:
        statuses = [(await client.lookup_meter(lookup("TST001"))).status for _ in range(2)]
    assert statuses == [504, 201]  # the first lookup's two attempts used both faults
    assert sim.state.script == type(sim.state.script)()


async def test_ledger_endpoint_lists_vends_per_purchase(controlled: Any) -> None:
    """GET /_sim/ledger/{id} shows the vend with its tokens."""
    sim, http = controlled
    request = purchase("TST003", 10000)
    async with PpuV3Client(settings=settings_for(sim.base_url)) as client:
        await client.purchase_token(request)
    async with http.get(f"/_sim/ledger/{request.purchase_id}") as response:
        ledger = await response.json()
    assert [v["tokens"] for v in ledger["vends"]] == [["0" * 20, "1" * 20]]
    async with http.get("/_sim/ledger") as response:
        assert len((await response.json())["vends"]) == 1


async def test_interface_paths_need_credentials_when_configured(controlled: Any) -> None:
    """Without an Authorization header the interface answers 401; controls stay open."""
    _, http = controlled
    lookup_id = str(uuid.uuid4())
    async with http.post(f"/prepaidutility/v3/meterLookups/{lookup_id}", json={}) as response:
        assert response.status == 401
    async with http.get("/_sim/state") as response:
        assert (await response.json())["providerId"] == "90001"


async def test_default_simulator_serves_test_meters_without_credentials() -> None:
    """With no config: the TST meters, no authentication (as the reference server)."""
    async with (
        running_simulator() as sim,
        PpuV3Client(settings=settings_for(sim.base_url, password="anything")) as client,
    ):
        outcome = await client.lookup_meter(lookup("TST002"))
        assert isinstance(outcome, Succeeded)
        assert sim.config.utilities == []
    assert CITY.covers("04129999999")


async def test_runs_as_a_process_from_the_example_config(tmp_path: Path) -> None:
    """`python -m adapters.simulator --config FILE` serves each provider on its own port."""
    config = (ROOT / "deploy/config/simulators.toml").read_text()
    for old, new in (("18081", "0"), ("18082", "0"), ("18083", "0")):
        config = config.replace(f"port = {old}", f"port = {new}")
    path = tmp_path / "sims.toml"
    path.write_text(config)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.simulator",
        "--port",
        "0",
        "--config",
        str(path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        urls: list[str] = []
        while len(urls) < 3:
            line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
            assert line, "the simulator exited early"
            record = json.loads(line)  # not a terminal: the simulator logs JSON lines
            if record["event"] == "simulator.started":
                urls.append(record["base_url"])
        async with aiohttp.ClientSession() as http:
            names = []
            for url in urls:
                async with http.get(url + "/_sim/state") as response:
                    names.append(json.loads(await response.text())["name"])
        assert names == ["Sim Ontec", "Sim iPay", "Sim Syntell"]
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)
    assert process.returncode == 0


async def test_config_changes_per_provider_do_not_leak() -> None:
    """Two simulators in one process keep separate ledgers and coverage."""
    async with (
        running_simulator(SimProviderConfig(provider_id="A")) as one,
        running_simulator(SimProviderConfig(provider_id="B", test_meters=False)) as two,
        PpuV3Client(settings=settings_for(one.base_url)) as first,
        PpuV3Client(settings=settings_for(two.base_url)) as second,
    ):
        assert isinstance(await first.purchase_token(purchase("TST001", 10000)), Succeeded)
        declined = await second.purchase_token(purchase("TST001", 10000))
        assert isinstance(declined, Failed)
        assert declined.meter_not_supported
        assert (len(one.ledger.vends()), len(two.ledger.vends())) == (1, 0)


async def test_shutdown_ends_the_latency_pause_of_requests_in_flight() -> None:
    """Closing the simulator wakes a request in a minute-long latency pause: it answers now."""
    config = SimProviderConfig(latency=Latency(fixed_ms=60_000))
    async with (
        running_simulator(config) as sim,
        PpuV3Client(settings=settings_for(sim.base_url, timeouts={"lookup": 5.0})) as client,
    ):
        pending = asyncio.create_task(client.lookup_meter(lookup("TST001")))
        await asyncio.sleep(0.3)  # the request is in its pause by now
        sim.state.close()
        outcome = await asyncio.wait_for(pending, 2.0)
    assert isinstance(outcome, Succeeded)
