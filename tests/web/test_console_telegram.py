"""A person on Telegram and two caseworkers in Chromium: the whole handoff, end to end.

The real aiogram runtime talks to the fake Bot API server; the console is the real web app
on localhost; the caseworkers use Debian's Chromium.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, expect
from sqlalchemy import select

from bot.settings import Settings
from bot.web.app import create_web_app
from db.models import AuditEntry, HandoffRequest
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram
from tests.support import free_port, served
from tests.web.conftest import Offline, open_page
from tests.web.console_support import PASSWORD, account
from tests.web.test_console_browser import tone

CHAT = 424_242


async def declare(user: User, tg: FakeTelegram) -> None:
    """A short declaration: consent, for oneself, every question skipped, then submitted."""
    await user.says("/start")
    await user.presses("Tiếng Việt")
    await user.presses("Khai báo")
    for _ in range(3):
        await user.presses("Đồng ý")
    await user.presses("Khai cho chính tôi")
    while "Hoàn tất và lưu" not in str(tg.sent(CHAT)[-1].get("reply_markup")):
        if "An toàn, làm tiếp" in str(tg.sent(CHAT)[-1].get("reply_markup")):
            await user.presses("An toàn, làm tiếp")
        else:
            await user.presses("Bỏ qua")
    await user.presses("Hoàn tất và lưu")
    await tg.wait_for(lambda: tg.calls_of("sendDocument"))


async def sign_in(page: Page, base: str, name: str) -> None:
    await page.goto(base + "/console")
    await page.get_by_label("Tên đăng nhập").fill(name)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()


async def plays(page: Page) -> bool:
    """The newest voice note in the history loaded enough to be played."""
    audio = page.locator("#history audio").last
    for _ in range(100):  # the console's CSP forbids the eval wait_for_function needs
        if await audio.evaluate("a => a.readyState") >= 1:
            return bool(await audio.evaluate("a => a.duration") > 0.1)
        await asyncio.sleep(0.1)
    return False


async def test_a_person_on_telegram_is_answered_transferred_and_closed(
    settings: Settings, browser
) -> None:  # type: ignore[no-untyped-def]
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, runtime):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        async with served(create_web_app(app, runtime), port):
            await account(app, "lan")
            await account(app, "hoa")
            user = User(tg, app, CHAT)

            # 1. The person declares on Telegram, then asks for a caseworker ("0").
            await declare(user, tg)
            await user.says("0")
            assert "vị trí số 1 trong hàng chờ" in user.screen

            # 2. Lan sees the case in her team's inbox, claims it: both see one code.
            context, page = await open_page(browser, Offline(base))
            await sign_in(page, base, "lan")
            link = page.locator("a[href^='/console/cases/']").first
            await link.click()
            await page.get_by_role("button", name="Nhận xử lý").click()
            async with app.conversations.sessions() as session:
                case = await session.scalar(select(HandoffRequest))
            assert case is not None and case.verify_code
            code = case.verify_code
            await expect(page.locator("main")).to_contain_text(code)
            await tg.wait_for(lambda: any(f"Mã xác minh: {code}" in t for t in tg.texts(CHAT)))

            # 3. Her reply reaches the person through the outbox and the fake server.
            await page.get_by_label("Trả lời", exact=True).fill("Chào bạn, mình là Lan.")
            await page.get_by_role("button", name="Gửi", exact=True).click()
            await tg.wait_for(lambda: "Cán bộ: Chào bạn, mình là Lan." in tg.texts(CHAT))

            # 4. The person answers in words and by voice: both appear without a reload.
            tg.user_sends(CHAT, "Em cần làm lại giấy tờ tùy thân")
            tg.user_sends_voice(CHAT, tone())
            history = page.locator("#history")
            await expect(history).to_contain_text("Em cần làm lại giấy tờ tùy thân")
            await expect(history.locator("audio")).to_have_count(1)
            assert await plays(page), "the voice note loads in the browser"

            # 5. Lan hands over to Hoa with a note; Hoa joins and closes; the menu is back.
            await page.get_by_label("Sang cán bộ").select_option(label="hoa (city)")
            await page.get_by_label("Ghi chú bàn giao").fill("Cần hỗ trợ làm lại CCCD.")
            await page.get_by_role("button", name="Chuyển tiếp").click()
            await tg.wait_for(lambda: any("cán bộ khác" in t for t in tg.texts(CHAT)))
            await context.close()

            context, page = await open_page(browser, Offline(base))
            await sign_in(page, base, "hoa")
            await page.goto(f"{base}/console/cases/{case.id}")
            await expect(page.locator("main")).to_contain_text("Cần hỗ trợ làm lại CCCD.")
            await expect(page.locator("#history")).to_contain_text("Chào bạn, mình là Lan.")
            await page.get_by_role("button", name="Nhận xử lý").click()
            await page.get_by_label("Kết quả").select_option("resolved")
            await page.get_by_role("button", name="Đóng yêu cầu").click()
            await context.close()
            await tg.wait_for(lambda: any("đã kết thúc" in t for t in tg.texts(CHAT)))
            await tg.wait_for(lambda: "Khai báo" in str(tg.sent(CHAT)[-1].get("reply_markup")))

        async with app.conversations.sessions() as session:
            row = await session.get(HandoffRequest, case.id)
            actions = list(await session.scalars(select(AuditEntry.action)))
        assert row is not None and (row.status, row.outcome) == ("closed", "resolved")
        for action in ("case.claim", "case.reply", "case.transfer", "case.close"):
            assert action in actions
