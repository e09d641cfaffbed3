"""From a caseworker's visit to the person's answer on the case, through the real ticker."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.services.reminders import schedule, ticker
from db.models import AppointmentPerson, CaseNote, HandoffRequest, OutboxItem
from dialogs.events import Reply
from tests.bot.test_caseworker_chat import cases, talk
from tests.support import FakeClock

AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
"""Saturday 9:00 in Hà Nội."""


async def sent_to(app: App, contact_id: int | None) -> list[Reply]:
    async with app.conversations.sessions() as s:
        items = await s.scalars(
            select(OutboxItem).where(OutboxItem.contact_id == contact_id).order_by(OutboxItem.id)
        )
        return [Reply.from_dict(i.payload["reply"]) for i in items if "reply" in i.payload]


async def test_visit_reminded_in_the_evening_and_answered_on_the_case(
    app: App, transcript, clock: FakeClock
) -> None:
    chat = transcript()
    await talk(chat)
    await chat.send("menu")
    await chat.send("có")  # leave the caseworker: the case closes, the visit stays planned
    await chat.click("Nhắc lịch")
    await chat.click("Bật nhắc lịch")
    await chat.click("Buổi tối")
    [case] = await cases(app)
    async with app.conversations.sessions() as s, s.begin():
        row = await s.get(HandoffRequest, case.id)
        assert row is not None
        await schedule.schedule_visit(
            s, case=row, at=AT, place="nhà văn hóa", note="", created_by=None, now=clock()
        )
    clock.now = datetime(2026, 12, 4, 10, 59, tzinfo=UTC)  # Friday 17:59: not yet safe
    await ticker.Ticker(app).tick()
    assert not [r for r in await sent_to(app, chat.contact_id) if "Nhắc lịch" in r.text]
    clock.now = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # Friday 18:00, the evening
    assert await ticker.Ticker(app).tick() == 1
    [reminder] = [r for r in await sent_to(app, chat.contact_id) if "Nhắc lịch" in r.text]
    assert reminder.text == "Nhắc lịch: cuộc hẹn lúc 9:00, Thứ Bảy 5/12."
    assert "nhà văn hóa" not in reminder.text, "not even the place: the code word's job"
    payload = reminder.buttons[2][0].payload
    await chat.press(payload)
    assert chat.text == "Đã ghi nhận: lần này bạn không đến được."
    async with app.conversations.sessions() as s:
        person = await s.scalar(select(AppointmentPerson))
        assert person is not None and (person.answer, person.answered_for) == ("cancelled", AT)
        notes = await s.scalars(select(CaseNote.body).where(CaseNote.case_id == case.id))
        assert "reminder:cancelled" in list(notes)
