"""A reminder reaches the person wherever they are, and their answer reaches the case.

The ticker (bot.services.reminders) sends the "reminder:due" system event; here it is sent
as the ticker would, for appointment and reminder rows made directly, so these tests need
no other part of the reminders.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.services.bus import CASE, Change
from db.models import (
    CASE_CLOSED,
    FOR_PERSON,
    REMINDER_SENT,
    Appointment,
    AppointmentPerson,
    CaseNote,
    HandoffRequest,
    Message,
)
from db.models import Reminder as ReminderRow
from db.repositories import States
from dialogs.events import Inbound, Kind
from dialogs.state import Screen, State
from tests.bot.test_caseworker_chat import at_menu, cases, talk
from tests.bot.test_declaration_flow import consent_all, open_declaration
from tests.support import FakeClock, Transcript

AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
"""Saturday 5 December, 9:00 in Hà Nội: four days after the test clock's start."""


async def planned(
    app: App, contact_id: int | None, *, case_id: int | None = None, kind: str = "visit",
    appointment_status: str = "scheduled",
) -> int:  # fmt: skip
    """An appointment a caseworker made, and its reminder to the person, already sent."""
    assert contact_id is not None
    now = app.conversations.clock()
    async with app.conversations.sessions() as s, s.begin():
        appt = Appointment(
            kind=kind, team="city", case_id=case_id, starts_at=AT, next_at=AT,
            status=appointment_status, created_at=now, updated_at=now,
        )  # fmt: skip
        s.add(appt)
        await s.flush()
        s.add(AppointmentPerson(appointment_id=appt.id, contact_id=contact_id, case_id=case_id))
        row = ReminderRow(
            kind=FOR_PERSON, appointment_id=appt.id, case_id=case_id, contact_id=contact_id,
            occurrence_at=AT, lead_minutes=1440, due_at=AT - timedelta(days=1),
            status=REMINDER_SENT, fired_at=now, created_at=now,
        )  # fmt: skip
        s.add(row)
        await s.flush()
        return row.id


async def remind(chat: Transcript, reminder_id: int, code_word: str = "") -> None:
    """The event bot.services.reminders.firing sends for a due reminder."""
    data: dict[str, Any] = {"reminder": reminder_id, "at": AT.isoformat(), "what": "visit"}
    data["code_word"] = code_word
    await chat._event(Kind.SYSTEM, payload="reminder:due", data=data)


async def state_of(app: App, chat: Transcript) -> State:
    assert chat.contact_id is not None
    async with app.conversations.sessions() as s:
        return State.from_dict(await States(s).load(chat.contact_id))


async def answer_of(app: App, contact_id: int | None) -> tuple[str | None, datetime | None]:
    async with app.conversations.sessions() as s:
        row = await s.scalar(
            select(AppointmentPerson).where(AppointmentPerson.contact_id == contact_id)
        )
        assert row is not None
        return row.answer, row.answered_for


async def notes(app: App, case_id: int) -> list[tuple[str, str]]:
    async with app.conversations.sessions() as s:
        rows = await s.scalars(select(CaseNote).where(CaseNote.case_id == case_id))
        return [(n.kind, n.body) for n in rows]


async def words(app: App, contact_id: int | None) -> list[str]:
    """What the person wrote that the caseworker sees."""
    async with app.conversations.sessions() as s:
        rows = await s.scalars(
            select(Message).where(Message.contact_id == contact_id, Message.direction == "in")
        )
        return [m.body for m in rows]


async def test_mid_declaration_the_question_stays_open(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    before = await state_of(app, chat)
    reminder = await planned(app, chat.contact_id)
    await remind(chat, reminder)
    assert chat.text == "Nhắc lịch: cuộc hẹn lúc 9:00, Thứ Bảy 5/12."
    assert [b.key for r in chat.replies for row in r.buttons for b in row] == ["1", "2", "3"]
    after = await state_of(app, chat)
    assert (after.screen, after.step) == (before.screen, before.step) == (Screen.STEP, after.step)
    await chat.click("Tôi sẽ đến")
    assert chat.text == "Đã ghi nhận: bạn sẽ đến.", "the question is not shown again"
    assert await answer_of(app, chat.contact_id) == ("confirmed", AT)
    await chat.send("Khai cho chính tôi")  # the open question's own button, typed
    assert "tên" in chat.text.lower()


async def test_mid_case_a_typed_number_answers_and_is_not_relayed(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    [case] = await cases(app)
    reminder = await planned(app, chat.contact_id, case_id=case.id)
    seen: list[Change] = []
    async with app.bus.subscribe() as changes:

        async def listen() -> None:
            async for change in changes:
                seen.append(change)

        task = asyncio.create_task(listen())
        await remind(chat, reminder)
        assert (await state_of(app, chat)).screen is Screen.CASE
        await chat.send("2")
        await asyncio.sleep(0)
        task.cancel()
    assert chat.text == "Đã ghi nhận: bạn muốn đổi sang giờ khác."
    assert await answer_of(app, chat.contact_id) == ("reschedule", AT)
    assert await notes(app, case.id) == [("reminder", "reminder:reschedule")]
    assert Change(CASE, case.id, chat.contact_id, "city") in seen, "the live view is told"
    assert await words(app, case.contact_id) == []
    await chat.send("2")
    assert (await state_of(app, chat)).screen is Screen.CASE
    assert await words(app, case.contact_id) == ["2"], "now it is words for the caseworker"


async def test_answer_on_a_closed_case_is_noted_and_published(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    [case] = await cases(app)
    async with app.conversations.sessions() as s, s.begin():
        row = await s.get(HandoffRequest, case.id)
        assert row is not None
        row.status = CASE_CLOSED
    reminder = await planned(app, chat.contact_id, case_id=case.id, kind="meeting")
    seen: list[Change] = []
    async with app.bus.subscribe() as changes:

        async def listen() -> None:
            async for change in changes:
                seen.append(change)

        task = asyncio.create_task(listen())
        await chat.press(f"rem:no:{reminder}")  # under an older message, from any screen
        await asyncio.sleep(0)
        task.cancel()
    assert chat.text == "Đã ghi nhận: lần này bạn không đến được."
    assert await notes(app, case.id) == [("reminder", "reminder:cancelled")]
    assert [c.case_id for c in seen if c.kind == CASE] == [case.id]


async def test_not_current_is_said_and_nothing_recorded(
    app: App, transcript, clock: FakeClock
) -> None:
    chat, other = transcript(), transcript(chat="other")
    await at_menu(chat)
    await at_menu(other)
    theirs = await planned(app, other.contact_id)
    await chat.press(f"rem:ok:{theirs}")
    assert chat.text == "Lịch này không còn nữa, nên câu trả lời không được ghi lại."
    cancelled = await planned(app, chat.contact_id, appointment_status="cancelled")
    await chat.press(f"rem:ok:{cancelled}")
    assert "không còn nữa" in chat.text
    assert await answer_of(app, chat.contact_id) == (None, None)
    assert await answer_of(app, other.contact_id) == (None, None)
    clock.advance(days=5)  # the visit has passed
    await other.press(f"rem:ok:{theirs}")
    assert "không còn nữa" in other.text
    assert await answer_of(app, other.contact_id) == (None, None)


async def test_numbers_answer_only_right_after_the_reminder(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    reminder = await planned(app, chat.contact_id)
    await remind(chat, reminder)
    await chat.send("menu")
    await chat.send("1")
    assert "Phần 1/6: Sự đồng ý" in chat.text, "the menu's first button, not the reminder's"
    assert await answer_of(app, chat.contact_id) == (None, None)


async def test_in_english_with_a_code_word(app: App, transcript) -> None:
    chat = transcript(lang_hint="en")
    await at_menu(chat, "en")
    reminder = await planned(app, chat.contact_id)
    await remind(chat, reminder, code_word="market")
    assert chat.text == "Reminder: market at 9:00, Saturday 5 December."
    assert (await state_of(app, chat)).screen is Screen.MENU
    await chat.send("Ask for another time")
    assert chat.text == "Noted: you would like another time."
    assert await answer_of(app, chat.contact_id) == ("reschedule", AT)


async def test_link_without_a_code_keeps_the_screen(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    await chat.command("/link")
    assert chat.text.startswith("Mã không đúng hoặc đã hết hạn.")
    assert (await state_of(app, chat)).screen is Screen.MENU
    event = Inbound("telegram", "42", "42", Kind.COMMAND, text="/link " + "9" * 40)
    delivery = await app.conversations.handle(event)
    assert delivery.replies[0].text.startswith("Mã không đúng"), "too long: not looked up"
