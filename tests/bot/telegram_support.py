"""Telegram test helpers: the app wired to the fake Bot API server, and a user who waits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.channels.telegram_runtime import TelegramRuntime
from bot.services.conversation import utcnow
from bot.settings import Settings
from bot.web.app import create_web_app
from db.lookup import chat_key
from db.models import PENDING, SENDING, OutboxItem
from tests.fakes.telegram_server import FakeTelegram
from tests.support import free_port, served

SENDS = {"sendMessage", "sendDocument", "deleteMessage"}


@asynccontextmanager
async def telegram_app(
    settings: Settings, tg: FakeTelegram, mode: str = "polling", **extra: Any
) -> AsyncIterator[tuple[App, TelegramRuntime]]:
    """The real app and runtime, pointed at the fake server, with the real clock.

    In webhook mode the web app is served on localhost and the fake posts updates to it.
    """
    port = free_port()
    if mode == "webhook":
        extra.setdefault("telegram_webhook_url", f"http://127.0.0.1:{port}/webhooks/telegram")
    configured = settings.model_copy(
        update={
            "telegram_token": SecretStr(tg.token),
            "telegram_api_base": tg.base_url,
            **extra,
        }
    )
    app = await build_app(configured, utcnow)
    # The fake server has no rate limit, and a simulated person taps far faster than one
    # message a second; the limiter has tests of its own.
    runtime = TelegramRuntime(app, rates=(1000, 1000, 1000))
    try:
        async with contextlib.AsyncExitStack() as stack:
            if runtime.webhook_url:
                await stack.enter_async_context(served(create_web_app(app, runtime), port))
            await runtime.start()
            yield app, runtime
    finally:
        await runtime.stop()
        await app.close()


DRAIN_WAIT = 60.0
"""Seconds to wait for a chat's outbox to empty before the test fails (a hang, not a speed)."""


async def unsent(app: App, chat: int) -> int:
    """Outbox items for the chat that are not sent yet."""
    async with app.conversations.sessions() as session:
        query = select(func.count()).where(
            OutboxItem.chat_key == chat_key("telegram", str(chat)),
            OutboxItem.status.in_((PENDING, SENDING)),
        )
        return int(await session.scalar(query.select_from(OutboxItem)) or 0)


class User:
    """A person in a private chat: acts, then waits until the bot has answered."""

    def __init__(self, tg: FakeTelegram, app: App, chat: int, language_code: str = "vi") -> None:
        self.tg, self.app, self.chat, self.language_code = tg, app, chat, language_code

    async def _settle(self, before: int) -> None:
        """Wait for the first reply, then for this chat's outbox to empty."""
        await self.tg.wait_for(
            lambda: any(
                c.method in SENDS and c.params.get("chat_id") == self.chat
                for c in self.tg.calls[before:]
            )
        )
        # A deadline, not a count of looks: retries back off for seconds (1 + 2 + 4 s after
        # a 429 and two 500s), and a loaded machine makes each look slower.
        deadline = asyncio.get_running_loop().time() + DRAIN_WAIT
        while asyncio.get_running_loop().time() < deadline:
            if await unsent(self.app, self.chat) == 0:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the outbox did not drain")

    async def says(self, text: str) -> None:
        before = len(self.tg.calls)
        self.tg.user_sends(self.chat, text, language_code=self.language_code)
        await self._settle(before)

    async def presses(self, label: str) -> None:
        before = len(self.tg.calls)
        self.tg.user_presses(self.chat, label)
        await self._settle(before)

    async def shares_location(self, lat: float, lon: float) -> None:
        before = len(self.tg.calls)
        self.tg.user_shares_location(self.chat, lat, lon)
        await self._settle(before)

    @property
    def last(self) -> str:
        """The newest text the bot shows in this chat."""
        return self.tg.texts(self.chat)[-1]

    @property
    def screen(self) -> str:
        """All texts the bot shows, joined."""
        return "\n".join(self.tg.texts(self.chat))
