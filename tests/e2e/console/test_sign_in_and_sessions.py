"""Sign-in and sessions in a real browser, tried as an operator and as an attacker would:
throttling, revoked cookies, sign out everywhere, password change, safe redirects, idle end.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.e2e.console.conftest import screenshot_path, sign_in
from tests.support.observed import PASSWORD, ObservedSwitch

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


async def _cookie(context: BrowserContext) -> str:
    cookies = await context.cookies()
    return next(c["value"] for c in cookies if c["name"] == "ppu_console_session")


async def _fill(context: BrowserContext, base: str, who: tuple[str, str], password: str) -> None:
    page = context.pages[0] if context.pages else await context.new_page()
    await page.goto(f"{base}/login")
    await page.get_by_label("Institution").fill(who[0])
    await page.get_by_label("Username").fill(who[1])
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_the_sixth_wrong_password_is_throttled_and_the_form_keeps_the_fields(
    shared_browser: Browser, console_switch: ObservedSwitch
) -> None:
    """Five wrong passwords are answered; the sixth, even the right one, says when to retry."""
    base = console_switch.console_url
    context = await shared_browser.new_context()
    page = await context.new_page()
    for _ in range(5):
        await _fill(context, base, ("INST", "dave"), "wrong password")
        await expect(page.locator("#sign-in-error")).to_contain_text("is wrong")
        await expect(page.get_by_label("Institution")).to_have_value("INST")
        await expect(page.get_by_label("Username")).to_have_value("dave")
    await _fill(context, base, ("INST", "dave"), PASSWORD)
    await expect(page.locator("#sign-in-error")).to_contain_text("Try again in 15 minutes")
    await page.screenshot(path=screenshot_path("sign-in-throttled"), full_page=True)
    await sign_in(page, base, ("INST", "alice"))  # others are not locked out
    await page.goto(f"{base}/audit")
    throttled = page.locator('#audit tr[data-action="SIGN_IN_THROTTLED"]').first
    await expect(throttled).to_contain_text("INST/dave")
    await expect(throttled).to_contain_text("too many failed sign-ins")
    await context.close()


async def test_an_unknown_user_takes_as_long_as_a_wrong_password(
    shared_browser: Browser, console_switch: ObservedSwitch
) -> None:
    """The answer's timing does not tell whether the user exists (scrypt runs for both)."""
    base = console_switch.console_url
    context = await shared_browser.new_context()
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for round_ in range(3):
        for kind, user in (("known", "carol"), ("unknown", f"nobody{round_}")):
            started = time.perf_counter()
            await _fill(context, base, ("INST", user), "wrong password")
            await expect(context.pages[0].locator("#sign-in-error")).to_be_visible()
            timings[kind].append(time.perf_counter() - started)
    known, unknown = sorted(timings["known"])[1], sorted(timings["unknown"])[1]
    assert 0.5 < unknown / known < 2.0, timings
    await sign_in(context.pages[0], base, ("INST", "carol"))  # clears carol's failures
    await context.close()


async def test_a_cookie_copied_before_sign_out_is_refused_after_it(
    shared_browser: Browser, console_switch: ObservedSwitch
) -> None:
    """Sign-out ends the session on the server: the copied cookie and its CSRF token fail."""
    base = console_switch.console_url
    context = await shared_browser.new_context()
    page = await context.new_page()
    await sign_in(page, base)
    csrf = (await (await page.request.get(f"{base}/api/session")).json())["csrf_token"]
    stolen = await _cookie(context)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    attacker = await shared_browser.new_context()
    await attacker.add_cookies([{"name": "ppu_console_session", "value": stolen, "url": base}])
    headers = {"X-CSRF-Token": csrf}
    answer = await attacker.request.post(
        f"{base}/api/meters/04129999999/rebroadcast", headers=headers
    )
    assert answer.status == 401
    answer = await attacker.request.get(f"{base}/meters", max_redirects=0)
    assert answer.status == 303
    await context.close()
    await attacker.close()


async def test_sign_out_everywhere_ends_the_other_browsers_sessions(
    shared_browser: Browser, console_switch: ObservedSwitch
) -> None:
    """Two browsers signed in as one user; "Sign out everywhere" in one ends both."""
    base = console_switch.console_url
    laptop, phone = await shared_browser.new_context(), await shared_browser.new_context()
    laptop_page, phone_page = await laptop.new_page(), await phone.new_page()
    await sign_in(laptop_page, base, ("INST", "bob"))
    await sign_in(phone_page, base, ("INST", "bob"))
    await laptop_page.goto(f"{base}/account")
    await laptop_page.screenshot(path=screenshot_path("account"), full_page=True)
    await laptop_page.get_by_role("button", name="Sign out everywhere").click()
    await expect(laptop_page.get_by_role("button", name="Sign in")).to_be_visible()
    await phone_page.goto(f"{base}/providers")
    await expect(phone_page.get_by_role("button", name="Sign in")).to_be_visible()
    assert phone_page.url.endswith("/login?next=/providers")
    await laptop.close()
    await phone.close()


async def test_a_password_change_ends_other_sessions_and_keeps_this_one(
    shared_browser: Browser, console_switch: ObservedSwitch
) -> None:
    """After the change the old password fails, the other browser is out, this one stays in."""
    base = console_switch.console_url
    mine, other = await shared_browser.new_context(), await shared_browser.new_context()
    page, other_page = await mine.new_page(), await other.new_page()
    await sign_in(page, base, ("INST", "bob"))
    await sign_in(other_page, base, ("INST", "bob"))
    await page.goto(f"{base}/account")
    new = "a much longer new password"
    await page.get_by_label("Current password").fill(PASSWORD)
    await page.get_by_label("New password (at least").fill(new)
    await page.get_by_label("New password again").fill(new)
    await page.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Password changed")
    await other_page.goto(f"{base}/meters")
    await expect(other_page.get_by_role("button", name="Sign in")).to_be_visible()
    await _fill(other, base, ("INST", "bob"), PASSWORD)
    await expect(other_page.locator("#sign-in-error")).to_contain_text("is wrong")
    await sign_in(other_page, base, ("INST", "bob"), new)
    await mine.close()
    await other.close()


@pytest.mark.parametrize(
    "target", ["/%09/evil.example/", "//evil.example/", "https://evil.example/", "/\\evil"]
)
async def test_the_redirect_after_sign_in_stays_on_the_site(
    shared_browser: Browser, console_switch: ObservedSwitch, target: str
) -> None:
    """A crafted next= lands on Meter Management of this console, never elsewhere."""
    base = console_switch.console_url
    context = await shared_browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/login?next={target}")
    await page.get_by_label("Institution").fill("INST")
    await page.get_by_label("Username").fill("alice")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Meter Management")).to_be_visible()
    assert page.url == f"{base}/meters"
    await context.close()


async def test_an_idle_session_ends_and_type_ahead_says_so(
    shared_browser: Browser, console_switch: ObservedSwitch, module_database_url: str
) -> None:
    """After 30 idle minutes the next suggestion request says the session ended."""
    base = console_switch.console_url
    context = await shared_browser.new_context()
    page = await context.new_page()
    await sign_in(page, base)
    conn = await asyncpg.connect(module_database_url)
    try:
        await conn.execute(
            "UPDATE console_sessions SET last_seen_at = now() - interval '31 minutes'"
            " WHERE institution_id = 'INST' AND username = 'alice' AND revoked_at IS NULL"
        )
    finally:
        await conn.close()
    await page.locator("#meter-search").press_sequentially("0412", delay=30)
    message = page.locator("#suggestions .session-ended")
    await expect(message).to_contain_text("Your session has ended")
    await expect(message.get_by_role("link", name="Sign in again")).to_be_visible()
    await page.screenshot(path=screenshot_path("type-ahead-session-ended"), full_page=True)
    await context.close()


async def test_errors_carry_the_headers_and_limits_answer_400(
    shared_browser: Browser, console_switch: ObservedSwitch
) -> None:
    """404, 400 and HEAD answers carry the security headers; Server names no version."""
    base = console_switch.console_url
    context = await shared_browser.new_context()
    page = await context.new_page()
    await sign_in(page, base)
    csrf = (await (await page.request.get(f"{base}/api/session")).json())["csrf_token"]
    url = f"{base}/api/meters/04120000001/rebroadcast"
    deep = "[" * 100_000 + "]" * 100_000
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    too_deep = await page.request.post(url, data=deep[:60_000].encode(), headers=headers)
    assert too_deep.status == 400
    assert "nested deeper" in (await too_deep.json())["error"]
    too_big = await page.request.post(url, data=b"x" * 200_000, headers=headers)
    assert too_big.status == 400
    assert "larger than" in (await too_big.json())["error"]
    missing = await page.request.get(f"{base}/no-such-page")
    head = await page.request.head(f"{base}/providers")
    assert (missing.status, head.status) == (404, 200)
    for answer in (too_deep, too_big, missing, head):
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["server"] == "ppu-console"
    await asyncio.sleep(0)
    await context.close()
