"""Runs the Telegram channel: the bot, its dispatcher, polling or webhook, and its outbox worker.

Telegram's rate limits are per bot, so of several processes only the one that leads
"sender:telegram" (bot.services.leader) runs the outbox worker; the others queue only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, Update
from pydantic import ValidationError

from bot.app import App
from bot.channels.telegram import (
    CHANNEL,
    TelegramSender,
    WithholdMessages,
    router,
    skip_unknown_updates,
)
from bot.services.leader import make_leader
from bot.services.outbox import OutboxWorker
from bot.services.ratelimit import ChatBuckets
from dialogs.events import Inbound
from dialogs.i18n import N_

log = logging.getLogger(__name__)

COMMANDS = {
    "start": N_("cmd.start"),
    "menu": N_("cmd.menu"),
    "lang": N_("cmd.lang"),
    "erase": N_("cmd.erase"),
}
ALLOWED_UPDATES = ["message", "callback_query"]
SENDER = f"sender:{CHANNEL}"
AIOGRAM_LOGGERS = ("aiogram.event", "aiogram.dispatcher")


def withhold_messages_in_aiogram_logs() -> None:
    """Once per process: aiogram's error logs keep the exception type, not its message."""
    for name in AIOGRAM_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdMessages) for f in logger.filters):
            logger.addFilter(WithholdMessages())


class TelegramRuntime:
    """Owns the aiogram objects; the rest of the app sees only handle() and feed()."""

    def __init__(self, app: App, rates: tuple[float, float, float] = (30, 1, 3)) -> None:
        """rates: messages per second overall, per chat, and the burst a chat may take."""
        settings = app.settings
        assert settings.telegram_token is not None
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
        self.app = app
        self.bot = Bot(settings.telegram_token.get_secret_value(), session=session)
        # One person's updates are handled one at a time; different people concurrently.
        self.dispatcher = Dispatcher(events_isolation=SimpleEventIsolation())
        self.dispatcher.update.outer_middleware(skip_unknown_updates)
        withhold_messages_in_aiogram_logs()
        self.dispatcher.include_router(
            router(self.handle, media_max_bytes=settings.media_max_bytes)
        )
        sender = TelegramSender(self.bot, app.conversations)
        overall, per_chat, burst = rates
        buckets = ChatBuckets(overall=overall, per_chat=per_chat, burst=burst)
        self.worker = OutboxWorker(
            CHANNEL, app.conversations.sessions, sender, buckets, app.conversations.clock
        )
        self.leader = make_leader(settings.db_url, SENDER)
        app.conversations.wakers[CHANNEL] = self.worker.wake
        self.webhook_url = settings.telegram_webhook_url
        given = settings.telegram_webhook_secret
        self.webhook_secret = given.get_secret_value() if given else secrets.token_urlsafe(32)
        self._tasks: list[asyncio.Task[Any]] = []

    async def handle(self, event: Inbound) -> None:
        """Apply the event and queue its replies in one commit (the service wakes the sender)."""
        await self.app.conversations.handle(event, outbox=True)

    async def feed(self, update: dict[str, Any]) -> None:
        """An update that arrived by webhook, already authenticated.

        A malformed one is acknowledged and dropped: it would fail the same way on every
        redelivery, and its validation error quotes the content. A failure to handle a
        good one raises a bare error, so that Telegram delivers it again and the web
        server's log does not repeat what aiogram logged (without the message) already.
        """
        try:
            parsed = Update.model_validate(update, context={"bot": self.bot})
        except ValidationError as error:
            log.warning(
                "ignored a malformed update %s (%d problems)", update.get("update_id"),
                error.error_count(),
            )  # fmt: skip
            return
        try:
            await self.dispatcher.feed_webhook_update(self.bot, parsed)
        except Exception:
            raise RuntimeError(f"update {parsed.update_id} could not be handled") from None

    async def _wake_on_changes(self) -> None:
        """Another process queued something (a console reply, a reminder): look now.

        Without it the leader would find it at its next poll, seconds later.
        """
        async with self.app.bus.subscribe() as changes:
            async for _change in changes:
                self.worker.wake()

    async def register_commands(self) -> None:
        """The command menu, in Vietnamese by default and in English for English clients."""
        catalogs = self.app.content.catalogs
        for lang in catalogs.languages:
            t = catalogs.translator(lang)
            commands = [BotCommand(command=c, description=t(m)) for c, m in COMMANDS.items()]
            await self.bot.set_my_commands(commands, language_code=None if lang == "vi" else lang)

    async def start(self) -> None:
        """Register commands, choose webhook or polling, start the sender."""
        await self.register_commands()
        self._tasks.append(
            asyncio.create_task(self.leader.run(self.worker.run), name="telegram-outbox")
        )
        self._tasks.append(asyncio.create_task(self._wake_on_changes(), name="telegram-wake"))
        if self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url, secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )
            return
        await self.bot.delete_webhook()
        polling = self.dispatcher.start_polling(
            self.bot, handle_signals=False, close_bot_session=False, allowed_updates=ALLOWED_UPDATES
        )
        self._tasks.append(asyncio.create_task(polling, name="telegram-polling"))

    async def stop(self) -> None:
        """Stop polling and the sender, then close the HTTP session."""
        if not self.webhook_url:
            with contextlib.suppress(RuntimeError):
                await self.dispatcher.stop_polling()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.bot.session.close()
