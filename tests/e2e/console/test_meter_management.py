"""Meter Management in a real browser: find a meter, read its providers, Confirm support,
then see the next purchase's rebroadcast (the console user guide, end to end).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page, expect

from adapters.ppu_v3.simulator.config import UtilityCoverage
from schemas.v1.base import Money
from schemas.v1.inputs import LookupRequested, PurchaseRequested
from service.topics import Topic
from tests.e2e.console.conftest import screenshot_path
from tests.support.observed import PASSWORD, ObservedSwitch, observed_switch, until
from tests.support.switch import new_id, sim_provider

pytestmark = pytest.mark.integration

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])
TSHWANE = UtilityCoverage(utility_id="TSH", name="Tshwane Metro", prefixes=["0713"])
METER = "04120000301"


async def sign_in(page: Page, base: str) -> None:
    """Fill the sign-in form as INST's operator alice."""
    await page.goto(f"{base}/meters")
    await page.get_by_label("Institution").fill("INST")
    await page.get_by_label("Username").fill("alice")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Meter Management")).to_be_visible()


async def rows(page: Page) -> dict[str, tuple[str, str, str, str | None]]:
    """Provider ID to (Provider, Last response, Support status, hover title) as displayed."""
    found = {}
    for row in await page.locator("#providers tbody tr").all():
        cells = [await c.inner_text() for c in await row.locator("td").all()]
        title = await row.locator(".last-response").get_attribute("title")
        found[cells[0]] = (cells[1], cells[2], cells[3], title)
    return found


async def statuses(page: Page) -> dict[str, str]:
    """Provider ID to Support status as displayed."""
    return {pid: row[2] for pid, row in (await rows(page)).items()}


async def learn(ob: ObservedSwitch, meter: str) -> None:
    """The switch sees the meter once (a lookup), as before any operator looks."""
    request = LookupRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        lookup_id=new_id(),
        institution_id="INST",
        meter_number=meter,
    )
    await ob.sw.publish(Topic.LOOKUP_REQUESTED, request)
    await ob.sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id)
    await ob.console_knows("INST", meter)


async def purchase(ob: ObservedSwitch, meter: str) -> None:
    """The customer's next purchase, which runs the rebroadcast."""
    await ob.sw.publish(
        Topic.PURCHASE_REQUESTED,
        PurchaseRequested(
            event_id=uuid.uuid4(),
            occurred_at=datetime.now(UTC),
            purchase_id=uuid.uuid4(),
            institution_id="INST",
            meter_number=meter,
            amount=Money(value=2000, currency="ZAR"),
        ),
    )


async def expect_answered_not_supported(page: Page) -> None:
    """Both providers answered the first broadcast: time since, exact time on hover."""
    before = await rows(page)
    assert {pid: (name, status) for pid, (name, _, status, _) in before.items()} == {
        "P1": ("Sim P1", "Not Supported"),
        "P2": ("Sim P2", "Not Supported"),
    }
    for _, since, _, title in before.values():
        assert since.endswith("ago") or since == "just now"
        assert title is not None
        assert title.startswith("Last response ")


async def expect_rebroadcast_shown(page: Page) -> None:
    """The flag is gone, P2's new answer shows, and the meter routes again."""
    await expect(page.locator("#flag-message")).to_have_count(0)
    await expect(page.get_by_role("button", name="Confirm support")).to_be_visible()
    await expect(page.locator("#routing-blocked")).to_have_text("Not blocked for routing")
    await expect(page.locator("#utility")).to_have_text("City of Johannesburg")
    after = await rows(page)
    assert {pid: row[2] for pid, row in after.items()} == {
        "P1": "Not Supported",
        "P2": "Supported",
    }
    assert all(row[1] != "Awaiting confirmation" for row in after.values())


async def test_find_a_blocked_meter_confirm_support_and_see_the_rebroadcast(
    browser: Browser, kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> None:
    """Type, pick, read rows, Confirm support; after the next purchase the flag is cleared."""
    providers = [sim_provider("P1", TSHWANE), sim_provider("P2", TSHWANE)]
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=providers,
    ) as ob:
        await learn(ob, METER)
        page = await browser.new_page()
        await sign_in(page, ob.console_url)
        await page.locator("#meter-search").press_sequentially("0412 00", delay=40)
        await page.locator("#suggestions a", has_text=METER).click()
        await expect(page.locator("#meter-number")).to_have_text(METER)
        await expect(page.locator("#utility")).to_have_text("Unassigned")
        await expect(page.locator("#routing-blocked")).to_contain_text("Blocked for routing")
        await expect_answered_not_supported(page)
        await page.screenshot(path=screenshot_path("meter-before-confirm"), full_page=True)

        await page.get_by_role("button", name="Confirm support").click()
        await expect(page.locator("#flag-message")).to_contain_text(
            "marked for rebroadcast (support re-check)"
        )
        await expect(page.get_by_role("button", name="Confirm support")).to_have_count(0)
        assert await statuses(page) == {"P1": "Unconfirmed", "P2": "Unconfirmed"}
        await page.screenshot(path=screenshot_path("meter-marked"), full_page=True)

        ob.sw.sims["P2"].controls.set_coverage([CITY])
        await purchase(ob, METER)
        await ob.sw.wait_for(Topic.REBROADCAST_FLAGS, lambda e: e["action"] == "CLEARED")
        await page.reload()
        await expect_rebroadcast_shown(page)
        await page.screenshot(path=screenshot_path("meter-after-rebroadcast"), full_page=True)


async def test_provider_health_and_routing_pages_show_the_live_figures(
    browser: Browser, kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> None:
    """Provider health shows each provider's figures; Routing its ranking, counts and audit."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=[sim_provider("P1", CITY), sim_provider("P2", TSHWANE)],
    ) as ob:
        await learn(ob, METER)
        await ob.sw.wait_for(Topic.METRICS, lambda e: any(p["requests"] for p in e["providers"]))
        page = await browser.new_page()
        await sign_in(page, ob.console_url)

        async def figures_arrived() -> bool:
            answer = await page.request.get(f"{ob.console_url}/api/providers")
            return any(p["circuit"] for p in (await answer.json())["providers"])

        await until(figures_arrived)  # the console reads ppu.metrics on its own
        await page.get_by_role("link", name="Provider health").click()
        p1 = page.locator('#provider-health tr[data-provider-id="P1"]')
        await expect(p1.locator(".circuit")).to_have_text("CLOSED")
        await expect(p1.locator('[data-field="success"]')).to_have_text("100%")
        await page.screenshot(path=screenshot_path("provider-health"), full_page=True)
        await page.get_by_role("link", name="Routing preferences").click()
        await expect(page.locator("#routing")).to_contain_text("1. Sim P2 (P2), 2. Sim P1 (P1)")
        await expect(page.locator("#routing tr", has_text="City of Johannesburg")).to_contain_text(
            "1"
        )
        await page.screenshot(path=screenshot_path("routing-preferences"), full_page=True)
