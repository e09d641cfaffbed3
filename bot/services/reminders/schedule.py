"""Scheduling rules: which reminder rows an appointment gets, and when each is due.

Everything runs in the caller's session and commits with the caller. Only the next
occurrence of an appointment has rows; the ticker rolls a meeting on once it passed.
A person gets a reminder only while their latest "contact" consent is granted, and only
at a safe hour (people.py); a caseworker at each of their lead times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders import people, recurrence
from bot.services.reminders.leads import CANCELLED, DONE, SCHEDULED, leads_for
from bot.services.reminders.people import (
    DEFAULT_ZONE,
    cancel_for_person,
    replan_person,
    resume_person,
)
from db.models import (
    FOR_CASEWORKER,
    MEETING,
    VISIT,
    Appointment,
    AppointmentPerson,
    HandoffRequest,
    Reminder,
)
from db.reminders import Reminders
from dialogs.i18n import N_

__all__ = [
    "CANCELLED", "DONE", "PAST_ERROR", "SCHEDULED",
    "cancel_appointment", "cancel_for_person", "plan_occurrence", "replan_person",
    "reschedule_visit", "resume_person", "roll_meetings", "schedule_meeting", "schedule_visit",
]  # fmt: skip
PAST_ERROR = N_("console.error.past")
"""An appointment must lie ahead: a reminder for the past is no use."""


async def plan_occurrence(
    session: AsyncSession, appt: Appointment, occurrence_at: datetime, now: datetime
) -> list[Reminder]:
    """Create the reminder rows of one occurrence and make it the appointment's next."""
    appt.next_at = occurrence_at
    rows = Reminders(session)
    made: list[Reminder] = []
    worker, leads, person_lead = await leads_for(session, appt)
    if worker is not None and leads:
        ahead = [m for m in leads if occurrence_at - timedelta(minutes=m) >= now]
        if not ahead and occurrence_at > now:
            ahead = [leads[-1]]  # every lead time passed: one reminder at once, the nearest
        for minutes in ahead:
            due = max(occurrence_at - timedelta(minutes=minutes), now)
            made.append(
                await rows.add(
                    kind=FOR_CASEWORKER,
                    appointment_id=appt.id,
                    case_id=appt.case_id,
                    caseworker_id=worker.id,
                    occurrence_at=occurrence_at,
                    lead_minutes=minutes,
                    due_at=due,
                    created_at=now,
                )
            )
    made += await people.plan_people(session, appt, occurrence_at, person_lead, now)
    return made


async def schedule_visit(
    session: AsyncSession,
    *,
    case: HandoffRequest,
    at: datetime,
    place: str | None,
    note: str | None,
    created_by: int | None,
    now: datetime,
    timezone: str = DEFAULT_ZONE,
) -> Appointment:
    """A follow-up visit of one case, its person invited, its reminders planned.

    timezone is the service's: the person's safe hours are read in it.
    """
    if at <= now:
        raise ValueError(PAST_ERROR)
    appt = Appointment(
        kind=VISIT, team=case.team, case_id=case.id, place=place, note=note, starts_at=at,
        duration_minutes=60, next_at=at, status=SCHEDULED, created_by=created_by,
        created_at=now, updated_at=now, timezone=timezone,
    )  # fmt: skip
    session.add(appt)
    await session.flush()
    if case.contact_id is not None:
        session.add(
            AppointmentPerson(appointment_id=appt.id, contact_id=case.contact_id, case_id=case.id)
        )
        await session.flush()
    await plan_occurrence(session, appt, at, now)
    return appt


async def _latest_case(session: AsyncSession, contact_id: int) -> int | None:
    """The case a person's answers are recorded on: their latest."""
    found = await session.scalars(
        select(HandoffRequest.id)
        .where(HandoffRequest.contact_id == contact_id)
        .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc())
        .limit(1)
    )
    return found.first()


async def schedule_meeting(
    session: AsyncSession,
    *,
    team: str,
    title: str | None,
    place: str | None,
    note: str | None,
    rule: str,
    start_local: datetime,
    zone: str,
    contact_ids: list[int],
    created_by: int | None,
    now: datetime,
) -> Appointment:
    """A recurring peer-group meeting; ValueError(console.error.rule) if it never comes."""
    rule = recurrence.validate(rule)
    first = recurrence.next_occurrence(rule, start_local, zone, now)
    if first is None:
        raise ValueError(recurrence.RULE_ERROR)
    appt = Appointment(
        kind=MEETING, team=team, title=title, place=place, note=note,
        starts_at=recurrence.to_utc(start_local, zone), rrule=rule, timezone=zone,
        duration_minutes=60, next_at=first, status=SCHEDULED, created_by=created_by,
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(appt)
    await session.flush()
    for contact_id in dict.fromkeys(contact_ids):
        case_id = await _latest_case(session, contact_id)
        session.add(
            AppointmentPerson(appointment_id=appt.id, contact_id=contact_id, case_id=case_id)
        )
    await session.flush()
    await plan_occurrence(session, appt, first, now)
    return appt


async def roll_meetings(session: AsyncSession, now: datetime) -> int:
    """Move passed meetings to their next occurrence, close passed visits; how many changed.

    Reminders of a passed occurrence stay as they are: the ticker marks them missed.
    """
    due = (
        select(Appointment)
        .where(Appointment.status == SCHEDULED, Appointment.next_at <= now)
        .order_by(Appointment.next_at, Appointment.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)  # a second ticker passes over, never doubles
    changed = 0
    for appt in list(await session.scalars(due)):
        appt.updated_at = now
        changed += 1
        if appt.kind != MEETING or not appt.rrule:
            appt.status = DONE
            continue
        start_local = recurrence.to_local(appt.starts_at, appt.timezone)
        following = recurrence.next_occurrence(appt.rrule, start_local, appt.timezone, now)
        if following is None:
            appt.status = DONE  # the rule ended (UNTIL or COUNT)
            continue
        await plan_occurrence(session, appt, following, now)
    return changed


async def cancel_appointment(session: AsyncSession, appt_id: int, now: datetime) -> bool:
    """Cancel an appointment and its pending reminders; False if there is none to cancel."""
    appt = await session.get(Appointment, appt_id)
    if appt is None or appt.status != SCHEDULED:
        return False
    appt.status, appt.next_at, appt.updated_at = CANCELLED, None, now
    await Reminders(session).cancel_pending(reason="cancelled", appointment_id=appt_id)
    return True


async def reschedule_visit(
    session: AsyncSession, appt_id: int, at: datetime, now: datetime
) -> Appointment | None:
    """Move a visit: its pending reminders are cancelled and new ones planned; None if no visit."""
    appt = await session.get(Appointment, appt_id)
    if appt is None or appt.kind != VISIT or appt.status == CANCELLED:
        return None
    if at <= now:
        raise ValueError(PAST_ERROR)
    await Reminders(session).cancel_pending(reason="rescheduled", appointment_id=appt_id)
    appt.starts_at, appt.next_at, appt.status, appt.updated_at = at, at, SCHEDULED, now
    await session.execute(  # an answer about the old time says nothing about the new one
        update(AppointmentPerson)
        .where(AppointmentPerson.appointment_id == appt_id)
        .values(answer=None, answered_for=None, answered_at=None)
        .execution_options(synchronize_session=False)
    )
    await plan_occurrence(session, appt, at, now)
    return appt


async def follow_case(session: AsyncSession, case: HandoffRequest) -> None:
    """A case changed team: its visits move to the new team's lists and reminders."""
    await session.execute(
        update(Appointment)
        .where(Appointment.case_id == case.id, Appointment.kind == VISIT)
        .values(team=case.team)
        .execution_options(synchronize_session=False)
    )
