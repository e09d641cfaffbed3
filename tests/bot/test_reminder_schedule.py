"""Scheduling rules on a real database: who is reminded, when, and what cancels or moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.services.reminders import schedule
from bot.services.reminders.leads import lead_times
from db.models import (
    FOR_CASEWORKER,
    FOR_PERSON,
    REMINDER_CANCELLED,
    REMINDER_MISSED,
    REMINDER_PENDING,
    Appointment,
    AppointmentPerson,
    Caseworker,
    Contact,
    ContactPrefs,
    HandoffRequest,
    Reminder,
)
from db.repositories import Consents
from tests.support import FakeClock

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Hồ Chí Minh City


def local(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HCM).astimezone(UTC)


def rows_of(found: list[Reminder], kind: str) -> list[tuple[object, ...]]:
    """(recipient, lead, due, status, reason) of each row of a kind, by due time."""
    return sorted(
        ((r.caseworker_id or r.contact_id, r.lead_minutes, r.due_at, r.status, r.reason)
         for r in found if r.kind == kind),
        key=lambda t: (t[2], t[0]),
    )  # fmt: skip


class World:
    """Two caseworkers and people with cases, made in the app's database."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.sessions = app.conversations.sessions

    async def worker(self, name: str, leads: str) -> int:
        async with self.sessions() as s, s.begin():
            row = Caseworker(username=name, password_hash="x", role="caseworker", team="city",
                             locale="vi", active=True, created_at=NOW,
                             lead_minutes=leads)  # fmt: skip
            s.add(row)
            await s.flush()
            return row.id

    async def person(self, chat: str, *, consent: bool | None, safe: str | None = None) -> int:
        async with self.sessions() as s, s.begin():
            contact = Contact(channel="test", chat_key=f"key-{chat}", chat_id=chat,
                              created_at=NOW, last_seen_at=NOW)  # fmt: skip
            s.add(contact)
            await s.flush()
            if consent is not None:
                await Consents(s).record(contact.id, "contact", consent, NOW)
            if safe is not None:
                s.add(ContactPrefs(contact_id=contact.id, safe_hours=safe, updated_at=NOW))
            return contact.id

    async def case(self, contact_id: int, assignee: int | None, at: datetime = NOW) -> int:
        async with self.sessions() as s, s.begin():
            case = HandoffRequest(contact_id=contact_id, urgent=False, reason="r", created_at=at,
                                  team="city", assignee_id=assignee)  # fmt: skip
            s.add(case)
            await s.flush()
            return case.id

    async def visit(self, case_id: int, at: datetime, by: int | None, now: datetime = NOW) -> int:
        async with self.sessions() as s, s.begin():
            case = await s.get(HandoffRequest, case_id)
            assert case is not None
            appt = await schedule.schedule_visit(
                s, case=case, at=at, place="UBND phường", note="n", created_by=by, now=now
            )
            return appt.id

    async def reminders(self, appt_id: int | None = None) -> list[Reminder]:
        async with self.sessions() as s:
            query = select(Reminder).order_by(Reminder.due_at, Reminder.id)
            if appt_id is not None:
                query = query.where(Reminder.appointment_id == appt_id)
            return list(await s.scalars(query))

    async def appointment(self, appt_id: int) -> Appointment:
        async with self.sessions() as s:
            appt = await s.get(Appointment, appt_id)
            assert appt is not None
            return appt


@pytest.fixture
def world(app: App, clock: FakeClock) -> World:
    clock.now = NOW
    return World(app)


async def test_a_visit_reminds_the_assignee_at_each_lead_and_the_person_at_a_safe_hour(
    world: World,
) -> None:
    assignee, creator = await world.worker("lan", "1440,60"), await world.worker("minh", "180")
    person = await world.person("p1", consent=True, safe="evening")
    case = await world.case(person, assignee)
    visit_at = local(5, 9)
    appt = await world.visit(case, visit_at, creator)
    found = await world.reminders(appt)
    assert rows_of(found, FOR_CASEWORKER) == [
        (assignee, 1440, local(4, 9), REMINDER_PENDING, None),
        (assignee, 60, local(5, 8), REMINDER_PENDING, None),
    ]
    # A day ahead is 09:00 on the 4th; the person is safe only in the evening: 18:00 that day.
    assert rows_of(found, FOR_PERSON) == [(person, 1440, local(4, 18), REMINDER_PENDING, None)]
    assert {(r.occurrence_at, r.case_id) for r in found} == {(visit_at, case)}
    stored = await world.appointment(appt)
    assert (stored.kind, stored.next_at, stored.status, stored.team) == (
        "visit",
        visit_at,
        "scheduled",
        "city",
    )
    async with world.sessions() as s:
        people = list(await s.scalars(select(AppointmentPerson)))
    assert [(p.contact_id, p.case_id) for p in people] == [(person, case)]


@pytest.mark.parametrize("consent", [None, False])
async def test_no_consent_to_contact_means_no_row_for_the_person(
    world: World, consent: bool | None
) -> None:
    worker = await world.worker("lan", "60")
    person = await world.person("p1", consent=consent)
    appt = await world.visit(await world.case(person, None), local(5, 9), worker)
    found = await world.reminders(appt)
    assert rows_of(found, FOR_PERSON) == []
    assert rows_of(found, FOR_CASEWORKER) == [(worker, 60, local(5, 8), REMINDER_PENDING, None)]


async def test_a_withdrawn_consent_counts_not_the_first_grant(world: World) -> None:
    worker = await world.worker("lan", "60")
    person = await world.person("p1", consent=True)
    async with world.sessions() as s, s.begin():
        await Consents(s).record(person, "contact", False, NOW + timedelta(seconds=1))
    appt = await world.visit(await world.case(person, None), local(5, 9), worker)
    assert rows_of(await world.reminders(appt), FOR_PERSON) == []


async def test_a_visit_soon_reminds_now_once_and_a_passed_lead_is_not_made(world: World) -> None:
    worker = await world.worker("lan", "1440,60")
    person = await world.person("p1", consent=True)
    case = await world.case(person, worker)
    found = await world.reminders(await world.visit(case, NOW + timedelta(minutes=30), None))
    assert rows_of(found, FOR_CASEWORKER) == [(worker, 60, NOW, REMINDER_PENDING, None)]
    assert rows_of(found, FOR_PERSON) == [(person, 1440, NOW, REMINDER_PENDING, None)]
    found = await world.reminders(await world.visit(case, NOW + timedelta(hours=3), None))
    assert rows_of(found, FOR_CASEWORKER) == [
        (worker, 60, NOW + timedelta(hours=2), REMINDER_PENDING, None)
    ], "the 1-day lead passed, the 1-hour one is still ahead: only that one"


async def test_no_safe_time_before_the_visit_is_a_missed_row_with_its_reason(world: World) -> None:
    worker = await world.worker("lan", "60")
    person = await world.person("p1", consent=True, safe="evening")
    appt = await world.visit(await world.case(person, None), local(1, 11, 30), worker)
    [row] = [r for r in await world.reminders(appt) if r.kind == FOR_PERSON]
    assert (row.status, row.reason) == (REMINDER_MISSED, "no_safe_time")


async def test_past_times_are_refused(world: World) -> None:
    worker = await world.worker("lan", "60")
    case = await world.case(await world.person("p1", consent=True), worker)
    with pytest.raises(ValueError, match=r"^console\.error\.past$"):
        await world.visit(case, NOW, worker)


async def test_a_meeting_reminds_its_people_and_rolls_to_the_next_first_saturday(
    world: World, clock: FakeClock
) -> None:
    creator = await world.worker("lan", "1440")
    yes = await world.person("p1", consent=True, safe="morning")
    old_case = await world.case(yes, None, NOW - timedelta(days=30))
    new_case = await world.case(yes, None)
    no = await world.person("p2", consent=None)
    async with world.sessions() as s, s.begin():
        appt = await schedule.schedule_meeting(
            s, team="city", title="Nhóm", place="Nhà văn hoá", note=None,
            rule="freq=monthly;byday=+1sa", start_local=datetime(2026, 12, 1, 9),
            zone="Asia/Ho_Chi_Minh", contact_ids=[yes, no, yes], created_by=creator, now=NOW,
        )  # fmt: skip
        appt_id = appt.id
        people = list(await s.scalars(select(AppointmentPerson).order_by(AppointmentPerson.id)))
    assert [(p.contact_id, p.case_id) for p in people] == [(yes, new_case), (no, None)]
    assert old_case != new_case
    stored = await world.appointment(appt_id)
    assert (stored.rrule, stored.next_at, stored.kind) == (
        "FREQ=MONTHLY;BYDAY=+1SA",
        local(5, 9),
        "meeting",
    )
    first = await world.reminders(appt_id)
    assert rows_of(first, FOR_CASEWORKER) == [(creator, 1440, local(4, 9), REMINDER_PENDING, None)]
    assert rows_of(first, FOR_PERSON) == [(yes, 1440, local(4, 9), REMINDER_PENDING, None)]

    async with world.sessions() as s, s.begin():
        assert await schedule.roll_meetings(s, local(5, 8, 59)) == 0, "not passed yet"
    clock.now = local(5, 9, 30)
    async with world.sessions() as s, s.begin():
        assert await schedule.roll_meetings(s, clock.now) == 1
    async with world.sessions() as s, s.begin():
        assert await schedule.roll_meetings(s, clock.now) == 0, "rolled once"
    jan = local(2, 9, month=1, year=2027)
    assert (await world.appointment(appt_id)).next_at == jan
    later = [r for r in await world.reminders(appt_id) if r.occurrence_at == jan]
    assert rows_of(later, FOR_PERSON) == [
        (yes, 1440, local(1, 9, month=1, year=2027), REMINDER_PENDING, None)
    ]
    assert len(later) == 2
    assert len(await world.reminders(appt_id)) == 4, (
        "the passed occurrence's rows stay for the ticker"
    )


async def test_a_meeting_with_a_rule_that_never_comes_again_is_refused(world: World) -> None:
    async with world.sessions() as s, s.begin():
        with pytest.raises(ValueError, match=r"^console\.error\.rule$"):
            await schedule.schedule_meeting(
                s, team="city", title="t", place=None, note=None, rule="FREQ=WEEKLY;COUNT=1",
                start_local=datetime(2026, 11, 1, 9), zone="Asia/Ho_Chi_Minh", contact_ids=[],
                created_by=None, now=NOW,
            )  # fmt: skip


async def test_passed_visits_become_done(world: World) -> None:
    worker = await world.worker("lan", "60")
    case = await world.case(await world.person("p1", consent=None), worker)
    appt = await world.visit(case, local(1, 12), worker)
    async with world.sessions() as s, s.begin():
        assert await schedule.roll_meetings(s, local(1, 12)) == 1
    assert (await world.appointment(appt)).status == "done"


async def test_cancel_for_person_stops_only_their_pending_rows(world: World) -> None:
    worker = await world.worker("lan", "1440,60")
    person = await world.person("p1", consent=True)
    appt = await world.visit(await world.case(person, worker), local(5, 9), worker)
    async with world.sessions() as s, s.begin():
        assert await schedule.cancel_for_person(s, person, NOW, "consent") == 1
    found = await world.reminders(appt)
    assert rows_of(found, FOR_PERSON) == [
        (person, 1440, local(4, 9), REMINDER_CANCELLED, "consent")
    ]
    assert {r.status for r in found if r.kind == FOR_CASEWORKER} == {REMINDER_PENDING}


async def test_replan_person_follows_new_safe_hours(world: World) -> None:
    worker = await world.worker("lan", "1440")
    person = await world.person("p1", consent=True, safe="evening")
    case = await world.case(person, worker)
    later = await world.visit(case, local(5, 9), worker)
    soon = await world.visit(case, local(1, 11, 30), worker)  # no evening before it: missed
    async with world.sessions() as s, s.begin():
        prefs = await s.get(ContactPrefs, person)
        assert prefs is not None
        prefs.safe_hours = "morning"
        await s.flush()
        assert await schedule.replan_person(s, person, NOW) == 2
    assert rows_of(await world.reminders(later), FOR_PERSON) == [
        (person, 1440, local(4, 9), REMINDER_PENDING, None)
    ]
    assert rows_of(await world.reminders(soon), FOR_PERSON) == [
        (person, 1440, NOW, REMINDER_PENDING, None)
    ], "a reminder missed for want of a safe time comes back when one exists"


async def test_after_consent_is_withdrawn_new_safe_hours_bring_nothing_back(
    world: World,
) -> None:
    worker = await world.worker("lan", "1440")
    person = await world.person("p1", consent=True, safe="evening")
    soon = await world.visit(await world.case(person, worker), local(1, 11, 30), worker)
    assert [r[3:] for r in rows_of(await world.reminders(soon), FOR_PERSON)] == [
        (REMINDER_MISSED, "no_safe_time")
    ]
    async with world.sessions() as s, s.begin():
        await Consents(s).record(person, "contact", False, NOW)
        await schedule.cancel_for_person(s, person, NOW, "consent")
        prefs = await s.get(ContactPrefs, person)
        assert prefs is not None
        prefs.safe_hours = "morning"
        await s.flush()
        assert await schedule.replan_person(s, person, NOW) == 0
    assert [r[3:] for r in rows_of(await world.reminders(soon), FOR_PERSON)] == [
        (REMINDER_CANCELLED, "consent")
    ]


async def test_cancel_and_reschedule_a_visit(world: World) -> None:
    worker = await world.worker("lan", "1440,60")
    person = await world.person("p1", consent=True)
    appt = await world.visit(await world.case(person, worker), local(5, 9), worker)
    async with world.sessions() as s, s.begin():
        moved = await schedule.reschedule_visit(s, appt, local(8, 15), NOW)
        assert moved is not None and moved.next_at == local(8, 15)
        with pytest.raises(ValueError, match=r"^console\.error\.past$"):
            await schedule.reschedule_visit(s, appt, NOW, NOW)
    found = await world.reminders(appt)
    assert sorted((r.status, r.reason, r.occurrence_at) for r in found) == sorted(
        [(REMINDER_CANCELLED, "rescheduled", local(5, 9))] * 3
        + [(REMINDER_PENDING, None, local(8, 15))] * 3
    )
    assert (await world.appointment(appt)).starts_at == local(8, 15)
    async with world.sessions() as s, s.begin():
        assert await schedule.cancel_appointment(s, appt, NOW)
        assert not await schedule.cancel_appointment(s, appt, NOW), "once"
        assert await schedule.reschedule_visit(s, appt, local(9, 9), NOW) is None
    stored = await world.appointment(appt)
    assert (stored.status, stored.next_at) == ("cancelled", None)
    assert {r.status for r in await world.reminders(appt)} == {REMINDER_CANCELLED}


async def test_consent_given_again_resumes_reminders_once(world: World) -> None:
    worker = await world.worker("lan", "1440,60")
    person = await world.person("p1", consent=True)
    appt = await world.visit(await world.case(person, worker), local(5, 9), worker)
    async with world.sessions() as s, s.begin():
        await Consents(s).record(person, "contact", False, NOW + timedelta(seconds=1))
        await schedule.cancel_for_person(s, person, NOW, "consent")
        assert await schedule.resume_person(s, person, NOW) == 0, "no consent: nothing"
        await Consents(s).record(person, "contact", True, NOW + timedelta(seconds=2))
        assert await schedule.resume_person(s, person, NOW) == 1
        assert await schedule.resume_person(s, person, NOW) == 0, "never two for one occurrence"
    assert rows_of(await world.reminders(appt), FOR_PERSON) == [
        (person, 1440, local(4, 9), REMINDER_CANCELLED, "consent"),
        (person, 1440, local(4, 9), REMINDER_PENDING, None),
    ]


def test_lead_times_are_read_leniently() -> None:
    assert lead_times("1440,60") == [1440, 60]
    assert lead_times(" 60, 10080 ,x,,0,60") == [10080, 60]
    assert lead_times("") == [] and lead_times(None) == []


async def test_a_person_is_reminded_a_day_ahead_at_most_even_when_the_caseworker_wants_a_week(
    world: World,
) -> None:
    worker = await world.worker("tuan", "10080,60")
    person = await world.person("p-week", consent=True, safe="any")
    visit = await world.visit(await world.case(person, worker), local(12, 9), worker)
    found = await world.reminders(visit)
    mine = rows_of(found, FOR_CASEWORKER)
    assert [(lead, due) for _, lead, due, _, _ in mine] == [
        (10080, local(5, 9)),
        (60, local(12, 8)),
    ]
    assert [(lead, due) for _, lead, due, _, _ in rows_of(found, FOR_PERSON)] == [
        (1440, local(11, 9))
    ]
