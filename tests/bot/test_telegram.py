"""The Telegram channel through the real aiogram, against the fake Bot API server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.settings import Settings
from db.models import Contact, Declaration, InboundEvent
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram

CHAT = 700001
MODES = pytest.mark.parametrize("mode", ["polling", "webhook"])


async def to_first_question(user: User) -> None:
    await user.says("/start")
    await user.presses("Tiếng Việt")
    await user.presses("Khai báo")
    for _ in range(3):
        await user.presses("Đồng ý")


@MODES
async def test_a_whole_declaration_on_telegram(settings: Settings, mode: str) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg, mode) as (app, _runtime):
        user = User(tg, app, CHAT)
        await to_first_question(user)
        await user.presses("Khai cho chính tôi")
        await user.says("Nguyễn Thị Điện Tín")
        await user.presses("Bỏ qua")
        await user.presses("Nữ")
        await user.says("1998")
        for label in ("Kinh", "Việt Nam", "Không có giấy tờ"):
            await user.presses(label)
        keyboard = tg.keyboard(CHAT)
        assert keyboard and keyboard["keyboard"][0][0]["request_location"], "address asks location"
        await user.shares_location(20.7, 106.6)
        await user.presses("Nhắn tin ở đây")
        while "Hoàn tất và lưu" not in str(tg.sent(CHAT)[-1].get("reply_markup")):
            if "An toàn, làm tiếp" in str(tg.sent(CHAT)[-1].get("reply_markup")):
                await user.presses("An toàn, làm tiếp")
            else:
                await user.presses("Bỏ qua")
        review = [m for m in tg.sent(CHAT) if "Xem lại bản khai" in (m.get("text") or "")]
        assert review and review[-1].get("has_protected_content"), "the summary is protected"
        assert "Nguyễn Thị Điện Tín" in review[-1]["text"]
        assert "(vị trí: 20.70000, 106.60000)" in review[-1]["text"]
        await user.presses("Hoàn tất và lưu")
        await tg.wait_for(lambda: tg.calls_of("sendDocument"))
        document = tg.calls_of("sendDocument")[-1]
        assert document["protect_content"] is True
        assert document["document"].data.startswith(b"%PDF")
        assert document["document"].filename.startswith("HP-")
        for call in tg.calls_of("sendMessage"):
            buttons = (call.get("reply_markup") or {}).get("inline_keyboard", [])
            assert all(len(b["callback_data"].encode()) <= 64 for row in buttons for b in row)
        async with app.conversations.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Declaration)) == 1


async def test_commands_language_and_deep_link(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        assert [c["command"] for c in tg.commands("")] == ["start", "menu", "lang", "erase"]
        assert tg.commands("en")[1]["description"] == "Main menu"
        user = User(tg, app, CHAT, language_code="en")
        await user.says("/start src_leaflet_thuynguyen")
        await user.presses("English")
        assert "111" in user.screen and "Make a declaration" in str(tg.sent(CHAT)[-1])
        async with app.conversations.sessions() as session:
            contact = await session.scalar(select(Contact))
        assert contact is not None and contact.source == "src_leaflet_thuynguyen"
        assert contact.locale == "en"


@MODES
async def test_danger_word_and_stale_button(settings: Settings, mode: str) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg, mode) as (app, _runtime):
        user = User(tg, app, CHAT)
        await to_first_question(user)
        old = tg.sent(CHAT)[-1]
        await user.presses("Khai cho chính tôi")
        before = len(tg.calls)
        tg.user_presses_data(CHAT, "opt:self", old["message_id"])
        await user._settle(before)
        assert "tin nhắn cũ" in user.screen
        assert tg.calls_of("answerCallbackQuery"), "every press is answered"
        await user.says("bi nhot, cuu toi")
        assert any("113" in t and "111" in t for t in tg.texts(CHAT))
        async with app.conversations.sessions() as session:
            contact = await session.scalar(select(Contact))
        assert contact is not None and contact.urgent


@MODES
async def test_erase_deletes_the_chat_then_the_data(settings: Settings, mode: str) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg, mode) as (app, _runtime):
        user = User(tg, app, CHAT)
        await to_first_question(user)
        await user.presses("Khai cho chính tôi")
        await user.says("Tên Thử Xóa Điện Tín")
        shown = [m["message_id"] for m in tg.sent(CHAT)]
        await user.says("xóa")
        await user.presses("Có, xóa hết")
        deleted = set(tg.deleted_in(CHAT))
        assert set(shown) <= deleted, "every bot message still within 48 hours is deleted"
        remaining = tg.texts(CHAT)
        assert len(remaining) == 1 and "Đã xóa" in remaining[0]
        assert len(tg.calls_of("deleteMessages")) == 1, "one call deletes up to 100 messages"
        assert all(w not in " ".join(remaining).lower() for w in ("mua bán", "nạn nhân", "công an"))
        async with app.conversations.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Contact)) == 0


@MODES
async def test_429_and_500_are_retried_and_each_reply_arrives_once(
    settings: Settings, mode: str
) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg, mode) as (app, _runtime):
        user = User(tg, app, CHAT)
        tg.fail_next("sendMessage", times=1, status=429, retry_after=1)
        tg.fail_next("sendMessage", times=2, status=500)
        await user.says("/start")
        await user.presses("Tiếng Việt")
        texts = tg.texts(CHAT)
        assert len(texts) == len(set(texts)) == 2, texts  # the greeting; the intro with the menu
        assert ("sendMessage", 429) in tg.injected and ("sendMessage", 500) in tg.injected


async def test_a_blocked_chat_is_recorded_not_retried_forever(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, runtime):
        User(tg, app, CHAT)
        tg.block_chat(CHAT)
        tg.user_sends(CHAT, "/start")
        await tg.wait_for(lambda: tg.injected or any(
            c.method == "sendMessage" for c in tg.calls))  # fmt: skip
        from tests.bot.telegram_support import unsent

        for _ in range(500):
            if await unsent(app, CHAT) == 0:
                break
            await runtime.worker.drain_once()
        assert await unsent(app, CHAT) == 0
        async with app.conversations.sessions() as session:
            from db.models import FAILED, OutboxItem

            failed = await session.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.status == FAILED)
            )
        assert failed == 1


async def test_duplicate_update_is_handled_once(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, runtime):
        update = tg.user_sends(CHAT, "/start")
        await tg.wait_for(lambda: tg.texts(CHAT))
        await runtime.feed(update)
        async with app.conversations.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(InboundEvent)) == 1
