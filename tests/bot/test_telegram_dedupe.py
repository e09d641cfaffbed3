"""De-duplication per bot: a redelivery is ignored, the same update id from another bot is not."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import Settings
from db.models import InboundEvent
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram

CHAT = 705150
OTHER_TOKEN = "654321:OTHER-TEST-TOKEN"


async def external_ids(app) -> list[str]:
    async with app.conversations.sessions() as session:
        return list(await session.scalars(select(InboundEvent.external_id)))


async def test_update_ids_are_counted_per_bot(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg, "webhook") as (app, _runtime):
        user = User(tg, app, CHAT)
        update = tg.user_sends(CHAT, "/start")
        await user._settle(0)
        answered = len(tg.texts(CHAT))
        assert answered > 0
        assert await tg.post_update(update) == 200, "Telegram delivers it again"
        await user.says("/start")  # a later update, so the redelivery had its chance
        assert len(tg.texts(CHAT)) == 2 * answered, "the redelivery was not answered"
        first_ids = await external_ids(app)
        assert first_ids == [
            f"u:123456:{update['update_id']}",
            f"u:123456:{update['update_id'] + 1}",
        ]

    # A new token (or a week of silence) restarts the update ids at the same numbers.
    async with FakeTelegram(OTHER_TOKEN) as tg, telegram_app(settings, tg, "webhook") as (app, _):
        user = User(tg, app, CHAT)
        again = tg.user_sends(CHAT, "/start")
        assert again["update_id"] == update["update_id"]
        await user._settle(0)
        assert tg.texts(CHAT), "handled: it is another bot's update"
        assert f"u:654321:{again['update_id']}" in await external_ids(app)
