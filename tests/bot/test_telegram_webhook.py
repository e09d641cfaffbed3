"""Webhook mode: Telegram posts updates to /webhooks/telegram with a secret header."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from sqlalchemy import func, select

from bot.channels.telegram_runtime import TelegramRuntime
from bot.settings import Settings
from bot.web.app import create_web_app
from db.models import Contact, InboundEvent
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram

CHAT = 700002


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(app, runtime: TelegramRuntime, port: int) -> AsyncIterator[None]:
    config = uvicorn.Config(
        create_web_app(app, runtime), host="127.0.0.1", port=port, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def count(app, model) -> int:
    async with app.conversations.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_webhook_mode_converses_and_refuses_a_wrong_secret(settings: Settings) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/telegram"
    async with (
        FakeTelegram() as tg,
        telegram_app(settings, tg, telegram_webhook_url=url) as (app, runtime),
        served(app, runtime, port),
    ):
        assert tg.webhook["url"] == url
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
        assert "Câu 1/" in user.last
        assert await count(app, Contact) == 1
