"""Visits on the case page and /console/schedule: forms, access by team, lists, audit.

Rows are made directly where the test is about what the console shows or refuses; the
others write through the scheduling rules, as the forms do.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update

from bot.app import App
from bot.services.bus import CASE, Change
from db.models import (
    FOR_CASEWORKER,
    FOR_PERSON,
    MEETING,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    VISIT,
    Appointment,
    AppointmentPerson,
    HandoffRequest,
    Reminder,
)
from tests.support import FakeClock
from tests.web.console_support import account, audit_rows, client, login, post_form, urgent_case
from tests.web.test_console_processes import live_events, until


def shows(html: str, msgid: str, vi: str) -> bool:
    """A message as the Vietnamese catalog words it (never its bare id)."""
    return msgid not in html and vi in html


async def add_visit(
    app: App, case: HandoffRequest, at: datetime, place: str = "Nhà văn hoá phường 3"
) -> Appointment:
    """A scheduled visit with its person's answer and reminders, written directly."""
    now = app.conversations.clock()
    async with app.conversations.sessions() as session, session.begin():
        appt = Appointment(
            kind=VISIT, team=case.team, case_id=case.id, place=place, note="mang giấy tờ",
            starts_at=at, next_at=at, status="scheduled", created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(appt)
        await session.flush()
        session.add(
            AppointmentPerson(
                appointment_id=appt.id, contact_id=case.contact_id, case_id=case.id,
                answer="confirmed", answered_for=at, answered_at=now,
            )
        )  # fmt: skip
        for status, due, reason in (
            (REMINDER_PENDING, at - timedelta(days=1), None),
            (REMINDER_MISSED, now - timedelta(hours=2), "passed"),
        ):
            session.add(
                Reminder(
                    kind=FOR_PERSON, appointment_id=appt.id, case_id=case.id,
                    contact_id=case.contact_id, occurrence_at=at, lead_minutes=1440, due_at=due,
                    status=status, reason=reason, created_at=now,
                )
            )  # fmt: skip
    return appt


async def test_schedule_pages_need_a_session_and_the_csrf_token(app: App) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    forms = [f"/console/cases/{case.id}/visit/new", "/console/appointments/1/cancel",
             "/console/appointments/1/reschedule", "/console/schedule/meetings"]  # fmt: skip
    async with client(app) as http:
        assert (await http.get("/console/schedule")).status_code == 303
        for url in forms:
            assert (await http.post(url, data={})).status_code in (401, 403), url
        await login(http, "lan")
        for url in forms:
            forged = await http.post(url, data={"csrf_token": "forged", "date": "2030-01-01"})
            assert forged.status_code == 403, url


async def test_visit_form_refuses_bad_fields_clearly_and_keeps_them(
    app: App, clock: FakeClock
) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    url, action = f"/console/cases/{case.id}", f"/console/cases/{case.id}/visit/new"
    today = clock().date()
    cases = [
        ({"date": "", "time": "09:00"}, "console.schedule.error.date", "Ngày"),
        ({"date": "ngày mai", "time": "09:00"}, "console.schedule.error.date", "Ngày"),
        ({"date": str(today + timedelta(days=2)), "time": "25:00"}, "console.schedule.error.time",
         "Giờ"),
        ({"date": str(today - timedelta(days=1)), "time": "09:00"}, "console.schedule.error.past",
         "tương lai"),
        ({"date": str(today + timedelta(days=2)), "time": "09:00", "place": "x" * 201},
         "console.schedule.error.place", "Địa điểm"),
    ]  # fmt: skip
    async with client(app) as http:
        await login(http, "lan")
        for fields, msgid, vi in cases:
            page = await post_form(http, url, action, **{"place": "Chợ Bến Thành", **fields})
            assert page.status_code == 400, fields
            assert 'role="alert"' in page.text and shows(page.text, msgid, vi), fields
            if "place" not in fields:
                assert 'value="Chợ Bến Thành"' in page.text
    async with app.conversations.sessions() as session:
        assert (await session.scalars(select(Appointment))).all() == []


async def test_another_teams_case_and_appointments_are_refused_and_audited(app: App) -> None:
    _person, case = await urgent_case(app)
    appt = await add_visit(app, case, app.conversations.clock() + timedelta(days=3))
    await account(app, "minh", team="north")
    async with client(app) as http:
        await login(http, "minh")
        tomorrow = str((app.conversations.clock() + timedelta(days=1)).date())
        visit = await post_form(http, "/console", f"/console/cases/{case.id}/visit/new",
                                date=tomorrow, time="09:00")  # fmt: skip
        assert visit.status_code == 404
        for what in ("cancel", "reschedule"):
            page = await post_form(http, "/console", f"/console/appointments/{appt.id}/{what}",
                                   date=tomorrow, time="10:00")  # fmt: skip
            assert page.status_code == 404 and "Nhà văn hoá" not in page.text
        schedule = await http.get("/console/schedule")
        assert schedule.status_code == 200 and "Nhà văn hoá" not in schedule.text
        assert f'value="{case.id}"' not in schedule.text  # not offered for a meeting either
    actions = [(row[0], row[1]) for row in await audit_rows(app)]
    assert actions.count(("minh", "case_refused")) == 1
    assert actions.count(("minh", "appointment_refused")) == 2
    async with app.conversations.sessions() as session:
        assert (await session.get(Appointment, appt.id)).status == "scheduled"  # type: ignore[union-attr]


async def test_case_page_and_schedule_show_visits_reminders_and_answers_by_case_number(
    app: App,
) -> None:
    person, case = await urgent_case(app, chat="chat-991177")
    appt = await add_visit(app, case, app.conversations.clock() + timedelta(days=3))
    await account(app, "lan")
    async with client(app) as http:
        await login(http, "lan")
        page = await http.get(f"/console/cases/{case.id}")
        assert page.status_code == 200
        assert f'id="appointment-{appt.id}"' in page.text and "Nhà văn hoá phường 3" in page.text
        assert shows(page.text, "console.schedule.answer.confirmed", "xác nhận")
        assert shows(page.text, "console.schedule.reason.passed", "đã qua")
        assert 'class="reminders upcoming"' in page.text and 'class="reminders missed"' in page.text
        schedule = await http.get("/console/schedule")
        assert schedule.status_code == 200 and "Nhà văn hoá phường 3" in schedule.text
        assert f'name="case" value="{case.id}"' in schedule.text
        assert person.chat not in schedule.text and person.chat not in page.text


async def test_supervisors_see_every_team_and_filter_caseworkers_only_their_own(
    app: App,
) -> None:
    _p1, city = await urgent_case(app, chat="p1")
    _p2, other = await urgent_case(app, chat="p2")
    await account(app, "minh", team="north")
    async with app.conversations.sessions() as session, session.begin():
        row = await session.get(HandoffRequest, other.id)
        assert row is not None
        row.team = "north"
        other = row
    soon = app.conversations.clock() + timedelta(days=2)
    await add_visit(app, city, soon, place="Nơi A")
    await add_visit(app, other, soon, place="Nơi B")
    await account(app, "sup", role="supervisor")
    async with client(app) as http:
        await login(http, "sup")
        every = await http.get("/console/schedule")
        assert "Nơi A" in every.text and "Nơi B" in every.text
        north = await http.get("/console/schedule?team=north")
        assert "Nơi A" not in north.text and "Nơi B" in north.text
    async with client(app) as http:
        await login(http, "minh")
        own = await http.get("/console/schedule?team=city")
        assert "Nơi A" not in own.text and "Nơi B" in own.text
        assert 'id="team-filter"' not in own.text


async def test_inbox_strip_shows_only_the_accounts_own_reminders(app: App) -> None:
    _person, case = await urgent_case(app)
    lan = await account(app, "lan")
    other = await account(app, "hoa")
    now = app.conversations.clock()
    appt = await add_visit(app, case, now + timedelta(hours=3), place="Phòng 2")
    async with app.conversations.sessions() as session, session.begin():
        for who, status in ((lan.id, REMINDER_SENT), (other.id, REMINDER_PENDING)):
            session.add(
                Reminder(
                    kind=FOR_CASEWORKER, appointment_id=appt.id, caseworker_id=who,
                    occurrence_at=appt.starts_at, lead_minutes=1440, status=status,
                    due_at=now - timedelta(hours=21), fired_at=now - timedelta(hours=21),
                    created_at=now,
                )
            )  # fmt: skip
    async with client(app) as http:
        await login(http, "lan")
        inbox = await http.get("/console")
        assert 'class="yours"' in inbox.text and "Phòng 2" in inbox.text
        assert f'href="/console/cases/{case.id}"' in inbox.text
    async with client(app) as http:
        await login(http, "hoa")
        assert 'class="yours"' in (await http.get("/console")).text  # pending, due within a day


async def test_meeting_form_refuses_missing_fields_clearly(app: App, clock: FakeClock) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    later = str(clock().date() + timedelta(days=7))
    async with client(app) as http:
        await login(http, "lan")
        base = {"title": "Nhóm đồng đẳng", "preset": "custom", "rule": "", "date": later,
                "time": "09:00", "case": str(case.id)}  # fmt: skip
        for change, msgid in (
            ({"title": ""}, "console.schedule.error.title"),
            ({"rule": ""}, "console.schedule.error.rule"),
        ):
            page = await post_form(http, "/console/schedule", "/console/schedule/meetings",
                                   **{**base, **change})  # fmt: skip
            assert page.status_code == 400 and 'role="alert"' in page.text, change
            assert msgid in page.text or "schedule-error" in page.text
            assert 'value="Nhóm đồng đẳng"' in page.text or not change.get("title", "x")
    async with app.conversations.sessions() as session:
        assert (await session.scalars(select(Appointment))).all() == []


async def test_visit_scheduled_moved_and_cancelled_through_the_case_page_audited(
    app: App, clock: FakeClock
) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    url = f"/console/cases/{case.id}"
    day = str(clock().date() + timedelta(days=3))
    async with client(app) as http:
        await login(http, "lan")
        made = await post_form(http, url, f"{url}/visit/new", date=day, time="09:30",
                               place="Trạm y tế", note="hỏi về giấy tờ")  # fmt: skip
        assert made.status_code == 303
        again = await post_form(http, url, f"{url}/visit/new", date=day, time="09:30")
        assert again.status_code == 303  # the same visit twice is made once
        async with app.conversations.sessions() as session:
            appts = (await session.scalars(select(Appointment))).all()
        assert len(appts) == 1 and appts[0].kind == VISIT and appts[0].place == "Trạm y tế"
        local = appts[0].starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
        assert local.strftime("%H:%M") == "09:30"
        page = await http.get(made.headers["location"])
        assert "Trạm y tế" in page.text
        assert shows(page.text, "console.schedule.done.visit", "Đã hẹn buổi thăm")
        moved = await post_form(http, url, f"/console/appointments/{appts[0].id}/reschedule",
                                date=day, time="14:00")  # fmt: skip
        assert moved.status_code == 303
        gone = await post_form(http, url, f"/console/appointments/{appts[0].id}/cancel")
        assert gone.status_code == 303
    async with app.conversations.sessions() as session:
        row = await session.get(Appointment, appts[0].id)
        assert row is not None and row.status == "cancelled"
    actions = [r[1] for r in await audit_rows(app)]
    assert {"visit.schedule", "visit.reschedule", "visit.cancel"} <= set(actions)
    assert all("Trạm" not in r[3] for r in await audit_rows(app))


async def test_meeting_invites_people_by_case_number_of_the_team_only(
    app: App, clock: FakeClock
) -> None:
    _p1, mine = await urgent_case(app, chat="p1")
    _p2, theirs = await urgent_case(app, chat="p2")
    await account(app, "minh", team="north")
    async with app.conversations.sessions() as session, session.begin():
        row = await session.get(HandoffRequest, theirs.id)
        assert row is not None
        row.team = "north"
    await account(app, "lan")
    later = str(clock().date() + timedelta(days=10))
    base = {"title": "Nhóm đồng đẳng", "place": "Hội trường", "preset": "custom",
            "rule": "FREQ=MONTHLY;BYDAY=+1SA", "date": later, "time": "09:00"}  # fmt: skip
    async with client(app) as http:
        await login(http, "lan")
        forged = await post_form(http, "/console/schedule", "/console/schedule/meetings",
                                 **base, case=str(theirs.id))  # fmt: skip
        assert forged.status_code == 400
        made = await post_form(http, "/console/schedule", "/console/schedule/meetings",
                               **base, case=str(mine.id))  # fmt: skip
        assert made.status_code == 303
        page = await http.get("/console/schedule")
        assert "Nhóm đồng đẳng" in page.text and "Hội trường" in page.text
    async with app.conversations.sessions() as session:
        appt = await session.scalar(select(Appointment).where(Appointment.kind == MEETING))
        assert appt is not None and appt.team == "city"
        people = (await session.scalars(select(AppointmentPerson))).all()
        assert [p.contact_id for p in people] == [mine.contact_id]
    assert "meeting.schedule" in [r[1] for r in await audit_rows(app)]


async def test_a_meeting_the_person_is_invited_to_shows_on_their_case_with_the_answer(
    app: App,
) -> None:
    _p1, case = await urgent_case(app, chat="p1")
    _p2, other = await urgent_case(app, chat="p2")
    now = app.conversations.clock()
    at = now + timedelta(days=5)
    async with app.conversations.sessions() as session, session.begin():
        appt = Appointment(
            kind=MEETING, team="city", title="Nhóm đồng đẳng tháng", place="Hội trường",
            starts_at=at, next_at=at, rrule="FREQ=MONTHLY;BYDAY=+1SA", status="scheduled",
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(appt)
        await session.flush()
        for row, answer in ((case, "reschedule"), (other, None)):
            session.add(
                AppointmentPerson(
                    appointment_id=appt.id, contact_id=row.contact_id, case_id=row.id,
                    answer=answer, answered_at=now if answer else None,
                    answered_for=at if answer else None,
                )
            )  # fmt: skip
            session.add(
                Reminder(
                    kind=FOR_PERSON, appointment_id=appt.id, contact_id=row.contact_id,
                    occurrence_at=at, lead_minutes=1440, due_at=at - timedelta(days=1),
                    status=REMINDER_PENDING, created_at=now,
                )
            )  # fmt: skip
    await account(app, "lan")
    async with client(app) as http:
        await login(http, "lan")
        page = await http.get(f"/console/cases/{case.id}")
        assert "Nhóm đồng đẳng tháng" in page.text
        assert shows(page.text, "console.schedule.answer.reschedule", "Xin đổi lịch")
        upcoming = page.text.split('class="reminders upcoming"')[1].split("</table>")[0]
        assert upcoming.count("<tr><td>") == 1  # this person's reminder, not the other's


async def test_a_persons_answer_reaches_the_open_case_page_live(app: App, base_url: str) -> None:
    _person, case = await urgent_case(app)
    appt = await add_visit(app, case, app.conversations.clock() + timedelta(days=2))
    await account(app, "lan")
    async with httpx.AsyncClient(base_url=base_url) as http:
        await login(http, "lan")
        events: list[dict[str, str]] = []
        stream = asyncio.create_task(live_events(http, f"/console/live?case={case.id}", events))
        try:
            await until(lambda: any(e["event"] == "appointments" for e in events))
            first = next(e["html"] for e in events if e["event"] == "appointments")
            assert 'id="appointments-live"' in first and "answer confirmed" in first
            seen = len(events)
            async with app.conversations.sessions() as session, session.begin():
                await session.execute(
                    update(AppointmentPerson)
                    .where(AppointmentPerson.appointment_id == appt.id)
                    .values(answer="reschedule")
                )
            await app.conversations.publish([Change(CASE, case.id, case.contact_id, case.team)])
            await until(
                lambda: any("answer reschedule" in e.get("html", "") for e in events[seen:])
            )
        finally:
            stream.cancel()


async def test_an_answer_note_on_the_case_reads_as_words_not_a_code(app: App) -> None:
    from db.models import CaseNote

    _person, case = await urgent_case(app)
    async with app.conversations.sessions() as session, session.begin():
        session.add(
            CaseNote(
                case_id=case.id, kind="reminder", body="reminder:reschedule",
                created_at=app.conversations.clock(),
            )
        )  # fmt: skip
    await account(app, "lan")
    async with client(app) as http:
        await login(http, "lan")
        page = await http.get(f"/console/cases/{case.id}")
    assert "reminder:reschedule" not in page.text
    assert shows(page.text, "console.schedule.answer_note", "Trả lời lời nhắc")
