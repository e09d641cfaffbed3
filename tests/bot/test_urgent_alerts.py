"""Caseworkers on call are alerted to urgent cases, on Telegram, through the real sender.

Reminder rows are made and fired here as the ticker would (inside one transaction, at an
injected time); the real aiogram sender then delivers to the fake Bot API. Times are in
the past of the real clock, so the queued items are due at once: no test sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import func, select

from bot.app import App
from bot.services.access import Actor
from bot.services.conversation import utcnow
from bot.services.reminders import alerts
from bot.settings import Settings
from db import caseworker_links as links
from db.models import (
    FOR_CASEWORKER,
    PENDING,
    REMINDER_PENDING,
    REMINDER_SENT,
    SENDING,
    URGENT_ALERT,
    URGENT_ESCALATION,
    VISIT,
    Appointment,
    AuditEntry,
    CaseNote,
    Caseworker,
    HandoffRequest,
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
    bot can only write to a chat that wrote first). Where the engine does not link yet
    (Branch B wires /link), the test links the code it sent directly.
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
                if done is not None and done.telegram_chat is None:
                    done = await links.link_telegram(
                        s, code, "telegram", str(CHATS[name]), utcnow()
                    )
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


def received(tg: FakeTelegram) -> dict[str, list[str]]:
    """Texts each staff member's chat got since the linking."""
    got = {name: tg.texts(chat)[SHOWN.get(name, 0) :] for name, chat in CHATS.items()}
    return {name: texts for name, texts in got.items() if texts}


async def urgent(app: App, chat: str, team: str, at: datetime) -> tuple[int, int, int]:
    """A real urgent conversation moved to the team; its alert and escalation rows planned."""
    _person, case = await urgent_case(app, chat)
    async with app.conversations.sessions() as s, s.begin():
        row = await s.get(HandoffRequest, case.id)
        assert row is not None
        row.team, row.created_at = team, at
        assert await alerts.schedule_urgent(s, row, at)
        assert not await alerts.schedule_urgent(s, row, at), "once per case"
        rows = {
            r.kind: r for r in await s.scalars(select(Reminder).where(Reminder.case_id == case.id))
        }
    assert set(rows) == {URGENT_ALERT, URGENT_ESCALATION}
    assert rows[URGENT_ALERT].due_at == at
    assert rows[URGENT_ESCALATION].due_at == at + timedelta(minutes=10)
    return case.id, rows[URGENT_ALERT].id, rows[URGENT_ESCALATION].id


async def test_on_call_linked_team_members_are_alerted_in_their_language(
    settings: Settings,
) -> None:
    async with desk(settings) as (tg, app, _ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, alert, _escalation = await urgent(app, "person-1", "north", start)
        assert await fire(app, alert, start) == ["telegram"]
        await tg.wait_for(lambda: len(received(tg)) >= 2)
        await drained(app)
        got = received(tg)
        assert set(got) == {"nam", "emma"}, "only the team's on-call, linked caseworkers"
        link = f"{PUBLIC}/console/cases/{case_id}"
        assert got["nam"] == [
            f"Có một cuộc trò chuyện khẩn mới đang chờ (ca #{case_id}). Mở bảng điều khiển: {link}"
        ]
        assert got["emma"] == [
            f"A new urgent conversation is waiting (case #{case_id}). Open the console: {link}"
        ]
        for texts in got.values():
            assert not any(word in text for text in texts for word in WORDS)
        async with app.conversations.sessions() as s:
            left = await s.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.contact_id.is_(None))
            )
            assert left == 0, "a sent alert leaves no trace in the outbox"


async def test_an_unclaimed_case_escalates_to_the_city_team_and_supervisors(
    settings: Settings,
) -> None:
    async with desk(settings) as (tg, app, _ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, alert, escalation = await urgent(app, "person-2", "north", start)
        await fire(app, alert, start)
        await tg.wait_for(lambda: len(received(tg)) >= 2)
        await drained(app)
        before = {name: len(texts) for name, texts in received(tg).items()}
        assert set(before) == {"nam", "emma"}
        assert await fire(app, escalation, start + timedelta(minutes=10)) == ["telegram"]
        await tg.wait_for(lambda: {"city", "boss"} <= set(received(tg)))
        await drained(app)
        got = received(tg)
        new = {name: texts[before.get(name, 0) :] for name, texts in got.items()}
        new = {name: texts for name, texts in new.items() if texts}
        assert set(new) == {"city", "boss"}, "the city team's on-call and every supervisor"
        link = f"{PUBLIC}/console/cases/{case_id}"
        assert new["boss"] == [
            f"An urgent conversation (case #{case_id}) has waited 10 minutes and nobody "
            f"has taken it. Open the console: {link}"
        ]
        assert new["city"][0].startswith(f"Một cuộc trò chuyện khẩn (ca #{case_id}) đã chờ 10")
        assert not any(word in t for texts in got.values() for t in texts for word in WORDS)
        async with app.conversations.sessions() as s:
            case = await s.get(HandoffRequest, case_id)
            assert case is not None and case.escalated_at == start + timedelta(minutes=10)
            notes = list(await s.scalars(select(CaseNote).where(CaseNote.case_id == case_id)))
            assert [n.kind for n in notes] == ["escalation"]
            audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "case.escalated"))
            assert audit is not None and (audit.case_id, audit.actor) == (case_id, "system")
        async with app.conversations.sessions() as s, s.begin():
            again = Reminder(
                kind=URGENT_ESCALATION, case_id=case_id, due_at=start, created_at=start
            )
            s.add(again)
        assert await fire(app, again.id, start + timedelta(minutes=11)) == [], "escalates once"


async def test_a_claimed_case_neither_alerts_nor_escalates(settings: Settings) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, alert, escalation = await urgent(app, "person-3", "north", start)
        nam = Actor(ids["nam"], "nam", "caseworker", "north")
        await app.desk.claim(nam, case_id, uuid4().hex)
        assert await fire(app, alert, start) == []
        assert await fire(app, escalation, start + timedelta(minutes=10)) == []
        await drained(app)
        assert received(tg) == {}
        async with app.conversations.sessions() as s:
            case = await s.get(HandoffRequest, case_id)
            assert case is not None and case.escalated_at is None
            assert (
                await s.scalar(select(func.count()).where(AuditEntry.action == "case.escalated"))
                == 0
            )


async def test_a_caseworker_is_reminded_of_a_visit_in_their_language(settings: Settings) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, _alert, _escalation = await urgent(app, "person-4", "north", start)
        visit_at = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # Saturday 9:00 in Hải Phòng
        async with app.conversations.sessions() as s, s.begin():
            appt = Appointment(
                kind=VISIT, team="north", case_id=case_id, place="Nhà văn hoá thôn 3",
                starts_at=visit_at, next_at=visit_at, status="scheduled",
                created_by=ids["emma"], created_at=start, updated_at=start,
            )  # fmt: skip
            s.add(appt)
            await s.flush()
            rows = [
                Reminder(
                    kind=FOR_CASEWORKER,
                    appointment_id=appt.id,
                    caseworker_id=ids[name],
                    occurrence_at=visit_at,
                    lead_minutes=60,
                    due_at=start,
                    created_at=start,
                )
                for name in ("emma", "nam", "unlinked")
            ]
            s.add_all(rows)
        for row in rows:
            await fire(app, row.id, start)
        await tg.wait_for(lambda: {"emma", "nam"} <= set(received(tg)))
        await drained(app)
        got = received(tg)
        assert set(got) == {"emma", "nam"}, "an unlinked caseworker gets nothing on Telegram"
        link = f"{PUBLIC}/console/cases/{case_id}"
        assert got["emma"] == [
            f"Reminder: visit for case #{case_id} at 9:00, Saturday, December 5, 2026.\n"
            f"Place: Nhà văn hoá thôn 3\nOpen: {link}"
        ]
        assert got["nam"][0].startswith(f"Nhắc lịch: buổi thăm ca #{case_id} lúc 9:00, Thứ Bảy")
        assert "Địa điểm: Nhà văn hoá thôn 3" in got["nam"][0]
