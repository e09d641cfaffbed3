"""The console in Debian's Chromium: sign in, claim, reply, live updates, escaping, phone, axe."""

from __future__ import annotations

import io
import math
import struct
import wave
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from bot.app import App
from db.models import HandoffRequest
from dialogs.events import Kind
from tests.web.conftest import ARTIFACTS, Offline, open_page
from tests.web.console_support import PASSWORD, account, audit_rows, urgent_case

PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src="x" onerror="window.__xss = 2">',
    '<a href="javascript:window.__xss = 3">bấm vào đây</a> javascript:window.__xss=4',
]
FLAG = "() => window.__xss === undefined"


def tone() -> bytes:
    """A quarter second of a 440 Hz tone as WAV: a voice note the browser can play."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                for i in range(2000)
            )
        )
    return out.getvalue()


async def sign_in(page: Page, base_url: str, name: str) -> None:
    """The login form, filled as a person would, by its labels."""
    await page.goto(base_url + "/console")
    await page.get_by_label("Tên đăng nhập").fill(name)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(base_url + "/console")


async def watch_dialogs(page: Page) -> list[str]:
    """Any alert() that fires lands here (none should)."""
    opened: list[str] = []

    async def dismiss(dialog: Any) -> None:
        opened.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


async def test_a_caseworker_claims_replies_and_sees_the_person_live(
    base_url: str, browser: Any, offline: Offline, app: App
) -> None:
    person, case = await urgent_case(app)
    await account(app, "lan")
    context, page = await open_page(browser, offline)
    await sign_in(page, base_url, "lan")

    link = page.get_by_role("link", name=f"Yêu cầu số {case.id}")
    await expect(link).to_have_attribute("href", f"/console/cases/{case.id}")
    second, other = await urgent_case(app, chat="another person")  # arrives while we look
    await expect(page.locator(f'a[href="/console/cases/{other.id}"]')).to_be_visible()

    await link.click()
    await expect(page.locator("#history")).to_contain_text("cứu tôi với")
    await page.get_by_role("button", name="Nhận xử lý").click()
    code = await page.locator("#verify-code").inner_text()
    async with app.conversations.sessions() as session:
        row = await session.get(HandoffRequest, case.id)
    assert row is not None and row.verify_code == code and len(code) == 4

    await page.get_by_label("Trả lời", exact=True).fill("Chào bạn, tôi là Lan.")
    await page.get_by_role("button", name="Gửi", exact=True).click()
    await expect(page.locator("#history li.out").last).to_contain_text("Chào bạn, tôi là Lan.")

    await person.send("Tôi đang ở bến xe Cầu Rào")  # no reload: the live view shows it
    await expect(page.locator("#history")).to_contain_text("Tôi đang ở bến xe Cầu Rào")
    await person._event(Kind.MEDIA, data={"media": "voice", "mime": "audio/wav"}, attachment=tone())
    audio = page.locator("#history audio")
    await expect(audio).to_have_count(1)
    await page.wait_for_function(
        "document.querySelector('#history audio').readyState >= 1", timeout=10_000
    )
    assert await audio.evaluate("a => a.duration") > 0.1
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "console-case.png"), full_page=True)
    assert offline.refused == []
    await context.close()
    del second


async def test_what_a_person_sends_is_shown_as_text_and_nothing_runs(
    base_url: str, browser: Any, offline: Offline, app: App
) -> None:
    person, case = await urgent_case(app)
    await person.send(PAYLOADS[0])
    await account(app, "lan")
    context, page = await open_page(browser, offline)
    dialogs = await watch_dialogs(page)
    await sign_in(page, base_url, "lan")
    await page.goto(f"{base_url}/console/cases/{case.id}")
    history = page.locator("#history")
    await expect(history).to_contain_text(PAYLOADS[0])
    for payload in PAYLOADS[1:]:  # these arrive live, through the page's own script
        await person.send(payload)
        await expect(history).to_contain_text(payload)
    await page.reload()
    for payload in PAYLOADS:
        await expect(history).to_contain_text(payload)
    assert await page.evaluate(FLAG)
    assert await history.locator("script, img[src='x'], a[href^='javascript']").count() == 0
    assert dialogs == []
    await context.close()


async def test_another_teams_case_is_refused_in_the_browser_and_audited(
    base_url: str, browser: Any, offline: Offline, app: App
) -> None:
    _person, case = await urgent_case(app)
    await account(app, "minh", team="north")
    context, page = await open_page(browser, offline)
    await sign_in(page, base_url, "minh")
    await expect(page.locator(f'a[href="/console/cases/{case.id}"]')).to_have_count(0)
    answer = await page.goto(f"{base_url}/console/cases/{case.id}")
    assert answer is not None and answer.status == 404
    await expect(page.locator("main")).not_to_contain_text("cứu tôi")
    assert ("minh", "case_refused", case.id, "unknown") not in await audit_rows(app)
    assert ("minh", "case_refused", case.id, "case_view") in await audit_rows(app)
    await context.close()


async def console_pages(app: App) -> list[tuple[str, str]]:
    """Every console page with something on it: (name, path) for a signed-in caseworker."""
    person, case = await urgent_case(app)
    await person.send("Một tin nhắn rất dài " + "không_có_dấu_cách_" * 30)
    await app.desk.claim(await _actor(app, "lan"), case.id, "browser-claim-nonce")
    return [
        ("inbox", "/console"), ("unassigned", "/console?view=unassigned"),
        ("mine", "/console?view=mine"), ("closed", "/console?view=closed"),
        ("case", f"/console/cases/{case.id}"), ("refused", "/console/cases/99999"),
    ]  # fmt: skip


async def _actor(app: App, name: str) -> Any:
    from bot.services.access import Actor

    row = await account(app, name, role="supervisor")
    return Actor(row.id, row.username, row.role, row.team)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_page_fits_a_phone_and_axe_finds_nothing_serious(
    base_url: str, browser: Any, offline: Offline, app: App, lang: str
) -> None:
    pages = await console_pages(app)
    await account(app, "reader", locale=lang)
    context, page = await open_page(browser, offline)
    axe = Axe()
    found: dict[str, list[str]] = {}
    await page.goto(base_url + "/console/login")
    await check(page, axe, "login", found)
    await sign_in(page, base_url, "reader")
    for name, path in pages:
        await page.goto(base_url + path)
        await check(page, axe, name, found)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"console-phone-{lang}.png"), full_page=True)
    assert found == {}, found
    await context.close()


async def check(page: Page, axe: Axe, name: str, found: dict[str, list[str]]) -> None:
    """No sideways scrolling at 390 px, no serious or critical axe violation."""
    problems = []
    width = await page.evaluate("document.documentElement.scrollWidth")
    if width > 390:
        problems.append(f"scrolls sideways: {width}px")
    results = await axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            problems.append(f"{violation['id']}: {violation['help']}")
    if problems:
        found[name] = problems
