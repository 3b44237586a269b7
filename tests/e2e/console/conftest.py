"""Real headless Chromium (Debian's package) driven by Playwright; screenshots in artifacts/.

Each module shares one browser and one switch with its console (`shared_browser`,
`console_switch`), so the tier stays fast on two cores; tests use their own meters and users.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from adapters.ppu_v3.simulator.config import UtilityCoverage
from schemas.v1.inputs import LookupRequested
from service.console.settings import ConsoleSettings
from service.topics import Topic
from tests.conftest import fresh_database
from tests.support.observed import PASSWORD, ObservedSwitch, observed_switch
from tests.support.switch import new_id, sim_provider

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])
TSHWANE = UtilityCoverage(utility_id="TSH", name="Tshwane Metro", prefixes=["0713"])


async def _launched() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():  # noqa: ASYNC240 - one stat before the browser starts
        pytest.skip("chromium is not installed: run deploy/local/chromium.sh (as root)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium for one test; never a downloaded browser."""
    async for launched in _launched():
        yield launched


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_browser() -> AsyncIterator[Browser]:
    """One headless Chromium for a whole module."""
    async for launched in _launched():
        yield launched


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_database_url(service_endpoints: dict[str, str]) -> AsyncIterator[str]:
    """A fresh migrated database for one module, dropped after it."""
    async with fresh_database(service_endpoints["PPU_DATABASE_URL"]) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def console_switch(
    kafka_bootstrap: str, module_database_url: str
) -> AsyncIterator[ObservedSwitch]:
    """A switch (P1 serves 0412..., P2 serves 0713...) and its console, for one module."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=module_database_url,
        prefix=f"m{uuid.uuid4().hex[:10]}.",
        providers=[sim_provider("P1", CITY), sim_provider("P2", TSHWANE)],
        console=ConsoleSettings(
            port=0, mark_wait_s=5.0, metrics_window_s=600, sign_in_max_per_address=1000
        ),
    ) as running:
        yield running


def screenshot_path(name: str) -> Path:
    """Where a test keeps its screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


async def sign_in(
    page: Page, base: str, who: tuple[str, str] = ("INST", "alice"), password: str = PASSWORD
) -> None:
    """Fill the sign-in form and land on Meter Management."""
    await page.goto(f"{base}/meters")
    await page.get_by_label("Institution").fill(who[0])
    await page.get_by_label("Username").fill(who[1])
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Meter Management")).to_be_visible()


async def learn(ob: ObservedSwitch, meter: str, institution: str = "INST") -> None:
    """The switch sees the meter once, through the institution's lookup."""
    request = LookupRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        lookup_id=new_id(),
        institution_id=institution,
        meter_number=meter,
    )
    await ob.sw.publish(Topic.LOOKUP_REQUESTED, request)
    await ob.sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id)
    await ob.console_knows(institution, request.meter_number)
