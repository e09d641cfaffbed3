"""The schedule pages in Debian's Chromium: the visit form, its refusal, phone width, axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect
from sqlalchemy import update

from bot.app import App
from bot.services.bus import CASE, Change
from db.models import AppointmentPerson
from tests.support import FakeClock
from tests.web.conftest import ARTIFACTS, Offline, open_page
from tests.web.console_support import account, urgent_case
from tests.web.test_console_browser import check, sign_in
from tests.web.test_console_schedule import add_visit


async def test_visit_form_refusal_and_schedule_pages_fit_a_phone(
    base_url: str, browser: Any, offline: Offline, app: App, clock: FakeClock
) -> None:
    _person, case = await urgent_case(app)
    await add_visit(app, case, clock() + timedelta(days=2), place="Nhà văn hoá <b>3</b>")
    await account(app, "lan", role="supervisor")
    context, page = await open_page(browser, offline)
    axe, found = Axe(), {}
    await sign_in(page, base_url, "lan")
    await page.goto(f"{base_url}/console/cases/{case.id}")
    visits = page.locator("#visits")
    await expect(visits.locator(".appointment")).to_have_count(1)
    await expect(visits.locator(".appointment")).to_contain_text("Nhà văn hoá <b>3</b>")
    await check(page, axe, "case", found)
    await expect(visits.locator(".answer.confirmed")).to_have_count(1)
    async with app.conversations.sessions() as session, session.begin():
        await session.execute(update(AppointmentPerson).values(answer="cancelled"))
    await app.conversations.publish([Change(CASE, case.id, case.contact_id, case.team)])
    await expect(visits.locator(".answer.cancelled")).to_have_count(1)  # live, no reload
    yesterday = (clock() - timedelta(days=1)).date().isoformat()
    await page.fill("#visit-date", yesterday)
    await page.fill("#visit-time", "09:00")
    await page.fill("#visit-place", "Trạm y tế")
    await page.locator("#visits form.stack button[type=submit]").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_be_visible()
    assert await page.locator("#visit-place").evaluate("e => e.value") == "Trạm y tế"
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("schedule", "me"):
        await page.goto(f"{base_url}/console/{name}")
        await check(page, axe, name, found)
        await page.screenshot(path=str(ARTIFACTS / f"console-{name}-phone.png"), full_page=True)
    assert found == {}, found
    await context.close()


@pytest.mark.parametrize("hour", ["09:30"])
async def test_a_visit_made_in_the_browser_is_listed_on_the_case(
    base_url: str, browser: Any, offline: Offline, app: App, clock: FakeClock, hour: str
) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    context, page = await open_page(browser, offline)
    await sign_in(page, base_url, "lan")
    await page.goto(f"{base_url}/console/cases/{case.id}")
    await page.fill("#visit-date", (clock() + timedelta(days=3)).date().isoformat())
    await page.fill("#visit-time", hour)
    await page.fill("#visit-place", "Trạm y tế phường 5")
    await page.locator("#visits form.stack button[type=submit]").click()
    await expect(page.locator("#visits .appointment")).to_contain_text("Trạm y tế phường 5")
    await expect(page.locator("#visits .appointment")).to_contain_text(hour.lstrip("0"))
    await context.close()
