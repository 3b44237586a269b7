"""Routing preferences edited in the browser: validated, CSRF-protected, audited with before
and after, stored in PostgreSQL and used by the running switch for its next purchase."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from schemas.v1.base import Money
from schemas.v1.inputs import PurchaseRequested
from service.topics import Topic
from tests.e2e.console.conftest import CITY, learn, screenshot_path, sign_in
from tests.support.observed import MALLORY, ObservedSwitch, observed_switch
from tests.support.switch import sim_provider

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
METER = "04120000701"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def both(kafka_bootstrap: str, module_database_url: str) -> AsyncIterator[ObservedSwitch]:
    """P1 and P2 both serve 0412...; INST's file ranks P2 first for City of Johannesburg."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=module_database_url,
        prefix=f"r{uuid.uuid4().hex[:10]}.",
        providers=[sim_provider("P1", CITY), sim_provider("P2", CITY)],
    ) as running:
        await learn(running, METER)
        yield running


async def _vended_by(ob: ObservedSwitch) -> str:
    request = PurchaseRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        purchase_id=uuid.uuid4(),
        institution_id="INST",
        meter_number=METER,
        amount=Money(value=1000, currency="ZAR"),
    )
    await ob.sw.publish(Topic.PURCHASE_REQUESTED, request)
    pid = str(request.purchase_id)
    (issued,) = await ob.sw.wait_for(Topic.TOKEN_ISSUED, lambda e: e["purchase_id"] == pid)
    return str(issued["settlement_entity"]["id"])


async def _routing(browser: Browser, base: str, who: tuple[str, str]) -> Page:
    page = await (await browser.new_context()).new_page()
    await sign_in(page, base, who)
    await page.get_by_role("link", name="Routing preferences").click()
    return page


async def test_a_new_ranking_routes_the_next_purchase_without_a_restart(
    shared_browser: Browser, both: ObservedSwitch
) -> None:
    """The file's ranking (P2 first) is seeded; ranking P1 first moves the next purchase."""
    assert await _vended_by(both) == "P2"
    page = await _routing(shared_browser, both.console_url, ("INST", "alice"))
    await expect(page.locator("#routing")).to_contain_text("1. Sim P2 (P2), 2. Sim P1 (P1)")
    form = page.locator('form.utility-routing[data-utility-id="COJ"]')
    await form.locator('select[name="rank_P1"]').select_option("1")
    await form.locator('select[name="rank_P2"]').select_option("2")
    await form.get_by_role("button").click()
    await expect(page.locator("#routing-notice")).to_contain_text("Saved: COJ")
    await expect(page.locator("#routing")).to_contain_text("1. Sim P1 (P1), 2. Sim P2 (P2)")
    await page.screenshot(path=screenshot_path("routing-edited"), full_page=True)
    assert await _vended_by(both) == "P1"
    await page.get_by_role("link", name="Audit log").click()
    edited = page.locator('#audit tr[data-action="ROUTING_EDITED"]').first
    await expect(edited).to_contain_text("INST/alice")
    api = await page.request.get(f"{both.console_url}/api/audit")
    entry = next(e for e in (await api.json())["entries"] if e["action"] == "ROUTING_EDITED")
    assert entry["details"]["before"] == {"ranked": ["P2", "P1"], "excluded": []}
    assert entry["details"]["after"] == {"ranked": ["P1", "P2"], "excluded": []}
    await page.context.close()


async def test_a_meter_preference_comes_first_and_can_be_removed(
    shared_browser: Browser, both: ObservedSwitch
) -> None:
    """Adding P2 for the meter routes it to P2 whatever the ranking; removing it undoes that."""
    page = await _routing(shared_browser, both.console_url, ("INST", "alice"))
    form = page.locator("#add-meter-preference")
    await form.get_by_label("Meter number").fill("0412 0000 701")
    await form.get_by_label("Provider").select_option("P2")
    await form.get_by_role("button").click()
    await expect(page.locator(f'#meter-preferences tr[data-meter="{METER}"]')).to_contain_text("P2")
    assert await _vended_by(both) == "P2"
    await page.get_by_role("button", name=f"Remove {METER}").click()
    await expect(page.locator(f'#meter-preferences tr[data-meter="{METER}"]')).to_have_count(0)
    assert await _vended_by(both) == "P1"
    await page.context.close()


async def test_edits_are_validated_and_need_the_csrf_token(
    shared_browser: Browser, both: ObservedSwitch
) -> None:
    """Another institution's provider, a provider ranked and excluded, or no token: refused."""
    page = await _routing(shared_browser, both.console_url, MALLORY)  # OTHER enables P1 only
    base = both.console_url
    csrf = (await (await page.request.get(f"{base}/api/session")).json())["csrf_token"]
    url = f"{base}/api/routing/utilities/COJ"
    headers = {"X-CSRF-Token": csrf}
    answer = await page.request.put(url, data={"ranked": ["P2"], "excluded": []}, headers=headers)
    assert answer.status == 400
    assert "not a provider your institution enabled: P2" in (await answer.json())["error"]
    answer = await page.request.put(
        url, data={"ranked": ["P1"], "excluded": ["P1"]}, headers=headers
    )
    assert answer.status == 400
    answer = await page.request.put(url, data={"ranked": ["P1"], "excluded": []})
    assert answer.status == 403
    form = page.locator('form.utility-routing[data-utility-id="COJ"]')
    await form.locator('select[name="rank_P1"]').select_option("1")
    await form.get_by_label("Excluded").check()
    await form.get_by_role("button").click()
    await expect(page.locator("#routing-notice")).to_contain_text("ranked and excluded at once")
    answer = await page.request.put(url, data={"ranked": ["P1"], "excluded": []}, headers=headers)
    assert answer.status == 200
    assert await _vended_by(both) == "P1"  # INST's routing is its own
    await page.context.close()
