"""The dashboard in Chromium on a phone: SVG charts drawn under the strict CSP, nothing refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from axe_playwright_python.async_playwright import Axe

from bot.app import App
from db.repositories import Contacts, Declarations
from tests.support import free_port, served
from tests.web.conftest import ARTIFACTS, Offline, open_page
from tests.web.extras_support import PASSWORD, add_account, extras_web


@pytest.fixture
async def extras_url(app: App) -> AsyncIterator[str]:
    """The web app with the extras' pages, served by uvicorn as `hotline serve` would."""
    async with served(extras_web(app), free_port()) as url:
        yield url


async def _figures(app: App) -> None:
    now = app.conversations.clock()
    async with app.conversations.sessions() as session, session.begin():
        for i in range(9):
            contact = await Contacts(session).get_or_create("test", f"p{i}", None, now)
            await Declarations(session).add(
                contact.id, f"HP-{i + 2}BBB-BB", "self_declaration", {}, "HP", now,
                ward_code="11311" if i < 7 else "11320", month="2026-12",
                return_mode="self" if i < 5 else "rescued", needs="shelter,legal",
            )  # fmt: skip


async def test_dashboard_draws_its_svg_charts_on_a_phone_with_no_console_error(
    app: App, browser, extras_url: str
) -> None:
    await add_account(app, "sup", "supervisor")
    await _figures(app)
    context, page = await open_page(browser, Offline(extras_url))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        await page.goto(f"{extras_url}/console/login?next=/console/dashboard")
        await page.fill("#username", "sup")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit] >> nth=-1")
        await page.wait_for_url(f"{extras_url}/console/dashboard")

        charts = page.locator("figure.chart svg")
        assert await charts.count() == 4
        for i in range(4):
            box = await charts.nth(i).bounding_box()
            assert box is not None and 300 <= box["width"] <= 390 and box["height"] > 50
        # pygal's CSS arrived from the stylesheet: its bars are coloured, not the default black.
        fill = await page.locator(
            "#chart-commune .color-0 rect, #chart-commune rect.rect >> nth=0"
        ).evaluate("e => getComputedStyle(e).fill")
        assert fill not in ("rgb(0, 0, 0)", "")
        assert await page.locator('[data-table="commune"] td', has_text="<5").count() == 1
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, "no sideways scrolling on a 390 px screen"
        axe = await Axe().run(page)
        serious = [v["id"] for v in axe.response["violations"]
                   if v["impact"] in ("serious", "critical")]  # fmt: skip
        assert serious == []
        assert problems == [], problems
    finally:
        await context.close()


async def test_extras_pages_fit_a_phone_pass_axe_and_log_no_error(
    app: App, browser, extras_url: str
) -> None:
    await add_account(app, "adm", "admin")
    await _figures(app)
    context, page = await open_page(browser, Offline(extras_url))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    async def check(name: str) -> None:
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"{name}: {wide} px wide"
        axe = await Axe().run(page)
        serious = [v["id"] for v in axe.response["violations"]
                   if v["impact"] in ("serious", "critical")]  # fmt: skip
        assert serious == [], name
        await page.screenshot(path=str(ARTIFACTS / f"extras-{name}.png"), full_page=True)

    try:
        await page.goto(f"{extras_url}/console/login?next=/console/canned")
        await page.fill("#username", "adm")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit] >> nth=-1")
        await page.wait_for_url(f"{extras_url}/console/canned")
        await page.select_option("#new-lang", "vi")
        await page.fill("#new-title", "Chào hỏi <b>")
        await page.fill("#new-body", "Chào bạn, mình là cán bộ của đường dây nóng. " * 5)
        await page.click("section[aria-labelledby=canned-add] button")
        await page.wait_for_url(f"{extras_url}/console/canned?done=saved")
        assert await page.input_value("[id^=title-]") == "Chào hỏi <b>"
        await check("canned")

        await page.goto(f"{extras_url}/console/lookup")
        await page.fill("#lookup-code", "HP-2BBB-BB")
        await page.press("#lookup-code", "Enter")
        await page.wait_for_selector("[data-outcome]")
        assert await page.get_attribute("[data-outcome]", "data-outcome") == "private"
        await check("lookup")

        await page.goto(f"{extras_url}/console/audit")
        assert await page.locator(".audit-log li").count() >= 3
        await page.select_option("#audit-action", "lookup")
        await page.click("form.filters button")
        await page.wait_for_url("**/console/audit?*action=lookup*")
        assert await page.locator(".audit-log li").count() == 1
        await check("audit")

        await page.goto(f"{extras_url}/console/dashboard")
        await check("dashboard")
        assert problems == [], problems
    finally:
        await context.close()
