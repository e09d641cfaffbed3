"""The Reminders screen: consent to be contacted, safe hours, a code word; and what follows.

Withdrawing consent cancels pending reminders and new safe hours move them: that part
runs the scheduling rules (bot.services.reminders.schedule) and is skipped until they
are there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.services.reminders import schedule
from bot.services.reminders.ticker import Ticker
from db.models import (
    FOR_PERSON,
    REMINDER_CANCELLED,
    REMINDER_PENDING,
    REMINDER_SENT,
    Appointment,
    AppointmentPerson,
    Consent,
    ContactPrefs,
    HandoffRequest,
    OutboxItem,
)
from db.models import Reminder as ReminderRow
from dialogs.events import Reply
from tests.bot.test_caseworker_chat import at_menu
from tests.bot.test_declaration_flow import consent_all, open_declaration, submit
from tests.support import FakeClock, Transcript

AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def keys(chat: Transcript) -> dict[str, str]:
    return {b.key: b.label for r in chat.replies for row in r.buttons for b in row if b.key}


async def consents(app: App, contact_id: int | None) -> list[tuple[str, bool]]:
    async with app.conversations.sessions() as s:
        rows = await s.scalars(
            select(Consent).where(Consent.contact_id == contact_id).order_by(Consent.id)
        )
        return [(c.purpose, c.granted) for c in rows]


async def prefs(app: App, contact_id: int | None) -> tuple[str | None, str | None] | None:
    async with app.conversations.sessions() as s:
        row = await s.get(ContactPrefs, contact_id)
        return None if row is None else (row.safe_hours, row.code_word)


async def open_prefs(chat: Transcript) -> None:
    await at_menu(chat)
    await chat.click("Nhắc lịch")


async def test_turn_on_choose_hours_and_a_code_word(app: App, transcript) -> None:
    chat = transcript()
    await open_prefs(chat)
    assert "chỉ nhắc những lịch hẹn do cán bộ đặt" in chat.text
    assert "Nhắc lịch đang tắt" in chat.text
    assert chat.labels == ["Bật nhắc lịch", "Menu chính"], "nothing asked before consent"
    await chat.click("Bật nhắc lịch")
    assert await consents(app, chat.contact_id) == [("contact", True)]
    assert "Nhắc lịch đang bật." in chat.text
    assert "Giờ an toàn: chưa chọn (7:00–21:00)" in chat.text
    await chat.click("Buổi tối")
    assert "✓ Buổi tối" in chat.labels and "Giờ an toàn: Buổi tối (18:00–21:00)" in chat.text
    assert chat.replies[0].replaces, "a tick edits the screen in place"
    assert await prefs(app, chat.contact_id) == ("evening", None)
    await chat.click("Đặt tên gọi riêng")
    assert "tối đa 30 ký tự" in chat.text
    await chat.send("x" * 31)
    assert "dài quá" in chat.text
    await chat.send("  đi   chợ ")
    assert "Đã lưu tên gọi riêng." in chat.text and "“đi chợ”" in chat.text
    assert await prefs(app, chat.contact_id) == ("evening", "đi chợ")
    await chat.click("Đặt tên gọi riêng")
    await chat.send("không")
    assert "Đã bỏ tên gọi riêng." in chat.text
    assert await prefs(app, chat.contact_id) == ("evening", None)


async def test_typed_numbers_and_turning_off(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    assert keys(chat)["5"] == "Nhắc lịch"
    await chat.send("5")
    await chat.send("1")  # turn on
    assert keys(chat)["1"] == "Buổi sáng" and keys(chat)["6"] == "Tắt nhắc lịch"
    await chat.send("2")
    assert await prefs(app, chat.contact_id) == ("afternoon", None)
    await chat.send("6")
    assert "Đã tắt." in chat.text and "Nhắc lịch đang tắt" in chat.text
    assert await consents(app, chat.contact_id) == [("contact", True), ("contact", False)]


async def test_in_english(app: App, transcript) -> None:
    chat = transcript(lang_hint="en")
    await at_menu(chat, "en")
    await chat.click("Reminders")
    assert "We only remind you of appointments a caseworker set." in chat.text
    await chat.click("Turn reminders on")
    await chat.click("Evening")
    assert "Safe hours: Evening (18:00–21:00)" in chat.text


async def test_a_declaration_fills_safe_hours_only_when_unset(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "Buổi tối" in c.labels)
    await chat.click("Buổi tối")
    await chat.skip_until(lambda c: "Hoàn tất và lưu" in c.labels)
    await submit(chat)
    assert await prefs(app, chat.contact_id) == ("evening", None)
    await chat.send("menu")
    await chat.click("Nhắc lịch")
    await chat.click("Buổi sáng")
    await chat.send("menu")
    await chat.click("Khai báo")
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "Buổi tối" in c.labels)
    await chat.click("Buổi tối")
    await chat.skip_until(lambda c: "Hoàn tất và lưu" in c.labels)
    await submit(chat)
    assert await prefs(app, chat.contact_id) == ("morning", None), "the person's own choice"


async def pending_reminder(app: App, contact_id: int | None, due: datetime) -> int:
    """A visit tomorrow at 9:00 and its pending reminder to the person."""
    now = app.conversations.clock()
    async with app.conversations.sessions() as s, s.begin():
        appt = Appointment(kind="visit", team="city", starts_at=AT, next_at=AT,
                           status="scheduled", created_at=now, updated_at=now)  # fmt: skip
        s.add(appt)
        await s.flush()
        assert contact_id is not None
        s.add(AppointmentPerson(appointment_id=appt.id, contact_id=contact_id))
        row = ReminderRow(kind=FOR_PERSON, appointment_id=appt.id, contact_id=contact_id,
                          occurrence_at=AT, lead_minutes=1440, due_at=due,
                          status=REMINDER_PENDING, created_at=now)  # fmt: skip
        s.add(row)
        await s.flush()
        return row.id


async def reminder(app: App, reminder_id: int) -> ReminderRow:
    async with app.conversations.sessions() as s:
        row = await s.get(ReminderRow, reminder_id)
        assert row is not None
        return row


async def test_turning_off_cancels_pending_reminders_at_once(app: App, transcript) -> None:
    chat = transcript()
    await open_prefs(chat)
    await chat.click("Bật nhắc lịch")
    pending = await pending_reminder(app, chat.contact_id, AT - timedelta(days=1))
    await chat.click("Tắt nhắc lịch")
    row = await reminder(app, pending)
    assert (row.status, row.reason) == (REMINDER_CANCELLED, "consent")


async def test_new_safe_hours_move_pending_reminders(app: App, transcript) -> None:
    chat = transcript()
    await open_prefs(chat)
    await chat.click("Bật nhắc lịch")
    morning = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # Friday 9:00 in Hà Nội
    pending = await pending_reminder(app, chat.contact_id, morning)
    await chat.click("Buổi tối")
    row = await reminder(app, pending)
    assert row.status == REMINDER_PENDING
    assert row.due_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC), "Friday 18:00, the evening"


async def test_refusing_contact_in_a_declaration_cancels_too(app: App, transcript) -> None:
    chat = transcript()
    await open_prefs(chat)
    await chat.click("Bật nhắc lịch")
    pending = await pending_reminder(app, chat.contact_id, AT - timedelta(days=1))
    await chat.click("Menu chính")
    await chat.click("Khai báo")
    await chat.click("Đồng ý")  # record
    await chat.click("Đồng ý")  # share
    await chat.click("Không đồng ý")  # later contact
    assert (await reminder(app, pending)).status == REMINDER_CANCELLED
    assert (await consents(app, chat.contact_id))[-1] == ("contact", False)


async def test_turning_off_also_drops_a_fired_reminder_still_in_the_outbox(
    app: App, transcript, clock: FakeClock
) -> None:
    chat = transcript()
    await open_prefs(chat)
    await chat.click("Bật nhắc lịch")
    clock.now = AT - timedelta(hours=20)  # Friday 13:00 in Hà Nội: inside "any" hours
    fired = await pending_reminder(app, chat.contact_id, clock.now - timedelta(minutes=1))
    assert await Ticker(app).tick() == 1
    assert (await reminder(app, fired)).status == REMINDER_SENT
    mine = OutboxItem.contact_id == chat.contact_id
    async with app.conversations.sessions() as s:
        queued = list(await s.scalars(select(OutboxItem).where(mine)))
    assert len(queued) == 1, "the reminder waits for its sender (none runs in this test)"
    await chat.click("Tắt nhắc lịch")
    async with app.conversations.sessions() as s:
        texts = [
            Reply.from_dict(i.payload["reply"]).text
            for i in await s.scalars(select(OutboxItem).where(mine))
        ]
    assert not any(text.startswith("Nhắc lịch:") for text in texts), "it is never sent"


async def test_erasing_stops_every_reminder_and_blanks_the_visit(
    app: App, transcript, clock: FakeClock
) -> None:
    chat = transcript()
    await open_prefs(chat)
    await chat.click("Bật nhắc lịch")
    await chat.send("0")  # asks for a person: the visit needs a case
    async with app.conversations.sessions() as s, s.begin():
        case = await s.scalar(select(HandoffRequest))
        assert case is not None
        visit = await schedule.schedule_visit(
            s, case=case, at=clock() + timedelta(days=3), place="Nhà chị Lan, thôn 2",
            note="mang giấy tờ", created_by=None, now=clock(),
        )  # fmt: skip
        mine = ReminderRow.contact_id == chat.contact_id
        assert [r.kind for r in await s.scalars(select(ReminderRow).where(mine))] == [FOR_PERSON]
    await chat.send("xóa")
    await chat.click("Có, xóa hết")
    assert "Đã xóa" in chat.text
    async with app.conversations.sessions() as s:
        assert list(await s.scalars(select(ReminderRow))) == []
        blanked = await s.get(Appointment, visit.id)
    assert blanked is not None
    assert (blanked.status, blanked.place, blanked.note) == ("cancelled", None, None)
    clock.advance(days=3)
    assert await Ticker(app).tick() == 0
