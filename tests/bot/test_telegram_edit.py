"""A tick on a multi-choice edits the message in place on Telegram, instead of a new message."""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from tests.bot.telegram_support import User, telegram_app, unsent
from tests.fakes.telegram_server import FakeTelegram

CHAT = 700301
CHANGES = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument"}


async def ticks(tg: FakeTelegram, user: User, label: str) -> list[str]:
    """Press a tick; what the bot did to the chat for it, once its outbox is empty."""
    before = len(tg.calls)
    tg.user_presses(CHAT, label)
    await tg.wait_for(lambda: any(c.method in CHANGES for c in tg.calls[before:]))
    for _ in range(1000):
        if await unsent(user.app, CHAT) == 0:
            return [c.method for c in tg.calls[before:] if c.method in CHANGES]
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not drain")


async def to_the_first_multi_choice(user: User) -> None:
    await user.says("/start")
    await user.presses("Tiếng Việt")
    await user.presses("Khai báo")
    for _ in range(3):
        await user.presses("Đồng ý")
    await user.presses("Khai cho chính tôi")
    while "An toàn, làm tiếp" not in str(user.tg.sent(CHAT)[-1].get("reply_markup")):
        await user.presses("Bỏ qua")
    await user.presses("An toàn, làm tiếp")
    await user.presses("Không nhớ")  # when it started
    await user.presses("Bỏ qua")  # where
    assert "bằng cách nào" in user.last


async def test_a_tick_edits_the_question_and_sends_nothing_new(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        user = User(tg, app, CHAT)
        await to_the_first_multi_choice(user)
        question = tg.sent(CHAT)[-1]
        shown = len(tg.sent(CHAT))

        assert await ticks(tg, user, "Hứa hẹn việc làm") == ["editMessageText"]
        assert await ticks(tg, user, "Quen qua mạng") == ["editMessageText"]
        assert len(tg.sent(CHAT)) == shown, "no new message in the chat"
        edited = tg.sent(CHAT)[-1]
        assert edited["message_id"] == question["message_id"]
        labels = [b["text"] for r in edited["reply_markup"]["inline_keyboard"] for b in r]
        assert "✓ Hứa hẹn việc làm" in labels and "✓ Quen qua mạng" in labels
        assert edited["text"] == question["text"]

        await user.presses("Xong")
        assert "bị đưa đến đâu" in user.last, "done moves on with a new message"
        assert len(tg.sent(CHAT)) == shown + 1


async def test_when_telegram_refuses_the_edit_the_screen_is_sent_anew(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        user = User(tg, app, CHAT)
        await to_the_first_multi_choice(user)
        shown = len(tg.sent(CHAT))

        tg.fail_next(
            "editMessageText", status=400, description="Bad Request: message can't be edited"
        )
        assert await ticks(tg, user, "Bị bắt cóc") == ["editMessageText", "sendMessage"]
        assert len(tg.sent(CHAT)) == shown + 1
        labels = [
            b["text"] for r in tg.sent(CHAT)[-1]["reply_markup"]["inline_keyboard"] for b in r
        ]
        assert "✓ Bị bắt cóc" in labels

        tg.fail_next(
            "editMessageText", status=400, description="Bad Request: message is not modified"
        )
        assert await ticks(tg, user, "Cách khác") == ["editMessageText"], "already shown: done"
