"""Helpers for caseworker alerts on the fake Telegram: linked staff, firing as the ticker does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.services.conversation import utcnow
from bot.services.reminders import alerts
from bot.settings import Settings
from db import caseworker_links as links
from db.models import (
    PENDING,
    REMINDER_PENDING,
    REMINDER_SENT,
    SENDING,
    URGENT_ALERT,
    URGENT_ESCALATION,
    Caseworker,
    HandoffRequest,
    Message,
    OutboxItem,
    Reminder,
)
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram
from tests.web.console_support import account, urgent_case

UNSENT = (PENDING, SENDING)
PUBLIC = "https://hotline.example.vn"
WORDS = ("cứu", "tôi với")
"""What the person wrote (console_support.urgent_case): it must never leave the console."""
STAFF = {
    # name: (team, role, locale, linked, on call)
    "nam": ("north", "caseworker", "vi", True, True),
    "emma": ("north", "caseworker", "en", True, True),
    "off": ("north", "caseworker", "vi", True, False),
    "unlinked": ("north", "caseworker", "vi", False, True),
    "south": ("south", "caseworker", "vi", True, True),
    "city": ("city", "caseworker", "vi", True, True),
    "boss": ("city", "supervisor", "en", True, False),
}
CHATS = {name: 810000 + n for n, name in enumerate(STAFF)}
SHOWN: dict[str, int] = {}
"""How many texts each chat showed before the test's alerts (the answers to /link)."""


@asynccontextmanager
async def desk(settings: Settings) -> AsyncIterator[tuple[FakeTelegram, App, dict[str, int]]]:
    """The app on the fake Telegram, with the staff above linked by one-time codes.

    Each linked caseworker sends /link CODE to the bot, as the console tells them to (a
    bot can only write to a chat that wrote first).
    """
    async with (
        FakeTelegram() as tg,
        telegram_app(settings, tg, public_url=PUBLIC + "/") as (app, _runtime),
    ):
        ids: dict[str, int] = {}
        for name, (team, role, locale, linked, on_call) in STAFF.items():
            ids[name] = (await account(app, name, role, team, locale)).id
            async with app.conversations.sessions() as s, s.begin():
                await links.set_on_call(s, ids[name], on_call)
                code = await links.new_link_code(s, ids[name], utcnow())
            if not linked:
                continue
            await User(tg, app, CHATS[name], locale).says(f"/link {code}")
            async with app.conversations.sessions() as s, s.begin():
                done = await s.get(Caseworker, ids[name])
                assert done is not None and done.username == name
                assert done.telegram_chat == str(CHATS[name])
        SHOWN.clear()
        SHOWN.update({name: len(tg.texts(chat)) for name, chat in CHATS.items()})
        yield tg, app, ids


async def fire(app: App, reminder_id: int, now: datetime) -> list[str]:
    """What the ticker does with a claimed caseworker reminder: fire, mark sent, commit, wake."""
    ctx = alerts.AlertContext.from_app(app)
    async with app.conversations.sessions() as s, s.begin():
        reminder = await s.get(Reminder, reminder_id)
        assert reminder is not None and reminder.status == REMINDER_PENDING
        channels = await alerts.fire(s, reminder, now, ctx)
        reminder.status, reminder.fired_at = REMINDER_SENT, now
    for channel in channels:
        app.conversations.wake(channel)
    return channels


async def drained(app: App) -> None:
    """Wait until the Telegram sender has sent everything queued."""
    for _ in range(1000):
        async with app.conversations.sessions() as s:
            left = await s.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.channel == "telegram", OutboxItem.status.in_(UNSENT))
            )
        if not left:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not drain")


async def assert_no_words(app: App, case_id: int, tg: FakeTelegram) -> None:
    """Nothing the person wrote, nor the case's reason or note, reached any staff chat."""
    async with app.conversations.sessions() as s:
        case = await s.get(HandoffRequest, case_id)
        assert case is not None and case.contact_id is not None
        bodies = await s.scalars(select(Message.body).where(Message.contact_id == case.contact_id))
        said = [b for b in [*bodies, case.reason, case.note or ""] if b.strip()]
    assert any("cứu" in b for b in said), "the person's words are there to be leaked"
    for texts in received(tg).values():
        for text in texts:
            assert not any(word in text for word in WORDS)
            assert not any(b in text for b in said)


def received(tg: FakeTelegram) -> dict[str, list[str]]:
    """Texts each staff member's chat got since the linking."""
    got = {name: tg.texts(chat)[SHOWN.get(name, 0) :] for name, chat in CHATS.items()}
    return {name: texts for name, texts in got.items() if texts}


async def urgent(
    app: App, chat: str, team: str, at: datetime, minutes: int = 10
) -> tuple[int, int, int]:
    """A real urgent conversation moved to the team; its alert and escalation rows planned."""
    _person, case = await urgent_case(app, chat)
    async with app.conversations.sessions() as s, s.begin():
        row = await s.get(HandoffRequest, case.id)
        assert row is not None
        row.team, row.created_at = team, at
        assert not await alerts.schedule_urgent(s, row, at), "the chat planned it, once per case"
        rows = {
            r.kind: r for r in await s.scalars(select(Reminder).where(Reminder.case_id == case.id))
        }
        assert set(rows) == {URGENT_ALERT, URGENT_ESCALATION}
        for planned in rows.values():  # as if the case had arrived at `at`
            planned.created_at = at
        rows[URGENT_ALERT].due_at = at
        rows[URGENT_ESCALATION].due_at = at + timedelta(minutes=minutes)
    return case.id, rows[URGENT_ALERT].id, rows[URGENT_ESCALATION].id
