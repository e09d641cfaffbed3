"""Webhook mode: Telegram posts updates to /webhooks/telegram with a secret header."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.settings import Settings
from db.models import Contact, InboundEvent
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram

CHAT = 700002


async def count(app, model) -> int:
    async with app.conversations.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_webhook_mode_converses_and_refuses_a_wrong_secret(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg, "webhook") as (app, runtime):
        assert tg.webhook["url"] == runtime.webhook_url
        assert tg.webhook["secret_token"] == runtime.webhook_secret
        assert not tg.calls_of("getUpdates"), "no polling in webhook mode"

        stray = {"update_id": 999, "message": {"message_id": 1, "date": 0,
                 "chat": {"id": CHAT, "type": "private"}, "text": "cứu tôi"}}  # fmt: skip
        assert await tg.post_update(stray, secret=None) == 401
        assert await tg.post_update(stray, secret="wrong-secret") == 401
        assert await count(app, InboundEvent) == 0 and await count(app, Contact) == 0

        user = User(tg, app, CHAT)
        await user.says("/start")
        await user.presses("Tiếng Việt")
        await user.presses("Khai báo")
        assert "Phần 1/6" in user.last
        assert await count(app, Contact) == 1
