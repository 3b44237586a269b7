"""Each institution sees its own meters, counts and audit; Provider health reads right and
refreshes; every page fits 390 px, 768 px and desktop widths without sideways scrolling.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from schemas.v1.base import Money
from schemas.v1.inputs import PurchaseRequested
from service.topics import Topic
from tests.e2e.console.conftest import learn, screenshot_path, sign_in
from tests.support.observed import MALLORY, ObservedSwitch, until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INST_METER = "04120000501"
OTHER_METER = "04120000502"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seen(console_switch: ObservedSwitch) -> ObservedSwitch:
    """INST looked up one meter, OTHER another (both 0412...: P1 supports, P2 declines)."""
    await learn(console_switch, INST_METER, "INST")
    await learn(console_switch, OTHER_METER, "OTHER")
    return console_switch


async def _page(browser: Browser, base: str, who: tuple[str, str], width: int = 1280) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await sign_in(page, base, who)
    return page


async def test_type_ahead_and_meter_pages_show_only_the_institution_s_meters(
    shared_browser: Browser, seen: ObservedSwitch
) -> None:
    """INST finds its meter, not OTHER's; OTHER's meter page is not found for INST."""
    page = await _page(shared_browser, seen.console_url, ("INST", "alice"))
    await page.locator("#meter-search").press_sequentially("0412 0000 5", delay=30)
    await expect(page.locator("#suggestions a")).to_have_text([INST_METER])
    answer = await page.goto(f"{seen.console_url}/meters/{OTHER_METER}")
    assert answer is not None
    assert answer.status == 404
    await expect(page.get_by_role("status")).to_contain_text("No meter")
    api = await page.request.get(f"{seen.console_url}/api/meters/{OTHER_METER}")
    assert api.status == 404
    await page.goto(f"{seen.console_url}/meters?q={OTHER_METER}")
    await expect(page.locator("#suggestions .empty")).to_contain_text("No meter number starts")
    await page.screenshot(path=screenshot_path("search-nothing-found"), full_page=True)
    await page.context.close()


async def test_counts_and_audit_are_the_institution_s_own(
    shared_browser: Browser, seen: ObservedSwitch
) -> None:
    """OTHER's routing page counts its one meter; its MARK shows the CLEARED that followed;
    INST never sees OTHER's mark in its audit log."""
    other = await _page(shared_browser, seen.console_url, MALLORY)
    await other.goto(f"{seen.console_url}/meters/{OTHER_METER}")
    await other.get_by_role("button", name="Confirm support").click()
    await expect(other.locator("#flag-message")).to_be_visible()
    await other.goto(f"{seen.console_url}/routing")
    # Switch-wide there are two City of Johannesburg meters; OTHER has looked up one.
    city = other.locator("#routing tr", has_text="City of Johannesburg")
    await expect(city.locator(".count")).to_have_text("1")
    await other.goto(f"{seen.console_url}/audit")
    mark = other.locator('#audit tr[data-action="REBROADCAST_MARK"]')
    await expect(mark).to_contain_text(OTHER_METER)
    await expect(mark).to_contain_text("Not cleared yet")
    await learn(seen, OTHER_METER, "OTHER")  # the next lookup runs the rebroadcast
    await seen.sw.wait_for(Topic.REBROADCAST_FLAGS, lambda e: e["action"] == "CLEARED")

    async def cleared() -> bool:
        await other.reload()
        return "CLEARED" in await mark.inner_text()

    await until(cleared, within_s=15)
    await other.screenshot(path=screenshot_path("audit-mark-and-cleared"), full_page=True)
    alice = await _page(shared_browser, seen.console_url, ("INST", "alice"))
    await alice.goto(f"{seen.console_url}/audit")
    await expect(alice.locator('#audit tr[data-action="REBROADCAST_MARK"]')).to_have_count(0)
    await other.context.close()
    await alice.context.close()


async def test_provider_health_shows_declines_apart_and_refreshes(
    shared_browser: Browser, seen: ObservedSwitch
) -> None:
    """P2 declined every lookup (not supported) yet reads Healthy; as-of moves; charts draw."""
    page = await _page(shared_browser, seen.console_url, ("INST", "alice"))

    async def figures() -> bool:
        answer = await page.request.get(f"{seen.console_url}/api/providers")
        rows = (await answer.json())["providers"]
        return all(r["requests"] for r in rows)

    await until(figures)
    await page.get_by_role("link", name="Provider health").click()
    p2 = page.locator('#provider-health tr[data-provider-id="P2"]')
    await expect(p2.locator('[data-field="decline"]')).to_have_text("100%")
    await expect(p2.locator('[data-field="error"]')).to_have_text("0%")
    await expect(p2.locator('[data-field="health"]')).to_have_text("Healthy")
    await expect(p2.locator('[data-field="p50"]')).to_have_text(re.compile(r"^(\d+ ms|<1 ms)$"))
    first = await page.locator("#as-of").inner_text()
    assert first.startswith("Figures as of ")
    await expect(page.locator("#as-of")).not_to_have_text(first, timeout=15_000)
    chart = await page.request.get(f"{seen.console_url}/providers/P2/latency.svg")
    svg = await chart.text()
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert 'data-series="p99"' in svg
    assert "<title" in svg
    loaded = await page.locator(".chart img").evaluate_all(
        "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"
    )
    assert loaded
    await page.screenshot(path=screenshot_path("provider-health"), full_page=True)
    await page.context.close()


@pytest.mark.parametrize("width", [390, 768, 1280])
async def test_every_page_fits_the_width_without_sideways_scrolling(
    shared_browser: Browser, seen: ObservedSwitch, width: int
) -> None:
    """Header, tables and charts stay within the viewport at phone, tablet and desktop widths."""
    page = await _page(shared_browser, seen.console_url, ("INST", "alice"), width)
    for path in (
        "/meters?q=0412",
        f"/meters/{INST_METER}",
        "/providers",
        "/routing",
        "/audit",
        "/transactions",
        "/account",
    ):
        await page.goto(f"{seen.console_url}{path}")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, width, overflow)
        name = path.strip("/").split("?")[0].replace("/", "-") or "home"
        await page.screenshot(path=screenshot_path(f"layout-{width}-{name}"), full_page=True)
    await page.context.close()


async def _buy(ob: ObservedSwitch, meter: str, institution: str) -> dict[str, Any]:
    request = PurchaseRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        purchase_id=uuid.uuid4(),
        institution_id=institution,
        meter_number=meter,
        amount=Money(value=2550, currency="ZAR"),
    )
    await ob.sw.publish(Topic.PURCHASE_REQUESTED, request)
    pid = str(request.purchase_id)
    (issued,) = await ob.sw.wait_for(Topic.TOKEN_ISSUED, lambda e: e["purchase_id"] == pid)
    return issued


async def test_transaction_search_finds_a_purchase_and_traces_it_with_masked_tokens(
    shared_browser: Browser, seen: ObservedSwitch
) -> None:
    """By meter: the purchase line; its trace: input, PURCHASE call, token.issued masked."""
    issued = await _buy(seen, INST_METER, "INST")
    theirs = await _buy(seen, OTHER_METER, "OTHER")
    token = next(t["token"] for t in issued["tokens"] if t["token"])
    page = await _page(shared_browser, seen.console_url, ("INST", "alice"))
    await page.get_by_role("link", name="Transactions").click()

    async def listed() -> bool:
        await page.goto(f"{seen.console_url}/transactions?q={INST_METER}")
        row = page.locator(f'#transactions tr[data-id="{issued["purchase_id"]}"]')
        return await row.count() == 1 and "Token issued" in await row.inner_text()

    await until(listed, within_s=15)
    row = page.locator(f'#transactions tr[data-id="{issued["purchase_id"]}"]')
    await expect(row).to_contain_text("ZAR 25.50")
    await expect(page.locator("#transactions tbody tr", has_text="Lookup")).to_have_count(1)
    await page.screenshot(path=screenshot_path("transactions"), full_page=True)
    await row.get_by_role("link").click()
    await expect(page.locator("#outcome")).to_have_text("Token issued")
    trace = page.locator("#trace")
    await expect(trace.locator('li[data-step="input"]')).to_contain_text("ppu.purchase.requested")
    await expect(trace.locator('li[data-step="call"]')).to_contain_text("PURCHASE to P1")
    await expect(trace.locator('li[data-step="output"]')).to_contain_text("ppu.token.issued")
    text = await trace.inner_text()
    assert token not in text
    assert token[-4:] in text
    await page.screenshot(path=screenshot_path("transaction-trace"), full_page=True)
    other = f"{seen.console_url}/transactions/purchase/{theirs['purchase_id']}"
    assert (await page.goto(other)) is not None
    await expect(page.get_by_role("status")).to_contain_text("No such purchase")
    await page.goto(f"{seen.console_url}/transactions?q={theirs['purchase_id']}")
    await expect(page.locator("#no-transactions")).to_be_visible()
    await page.context.close()
