"""The person's side of scheduling: reminded only with consent, only at a safe hour.

A message about an appointment can put a returnee at risk if someone else sees the phone,
so a person's reminder exists only while their latest "contact" consent is granted, and
is placed in the safe hours they chose (safe_hours.place). schedule.py re-exports the
operations the chat calls: cancel_for_person, replan_person and resume_person.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders import safe_hours
from bot.services.reminders.leads import SCHEDULED, leads_for
from db.models import (
    FOR_PERSON,
    REMINDER_CANCELLED,
    REMINDER_MISSED,
    REMINDER_PENDING,
    Appointment,
    AppointmentPerson,
    ContactPrefs,
    Reminder,
)
from db.reminders import Reminders
from db.repositories import Consents

NO_SAFE_TIME = "no_safe_time"
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


async def may_contact(session: AsyncSession, contact_id: int) -> bool:
    """Whether the person's latest decision on later contact is a yes."""
    return (await Consents(session).latest(contact_id)).get("contact") is True


async def safe_hours_of(session: AsyncSession, contact_id: int) -> str | None:
    """The person's chosen window, or None (daytime hours apply)."""
    prefs = await session.get(ContactPrefs, contact_id)
    return prefs.safe_hours if prefs is not None else None


async def plan_people(
    session: AsyncSession,
    appt: Appointment,
    occurrence_at: datetime,
    lead: int,
    now: datetime,
    only: int | None = None,
) -> list[Reminder]:
    """One row per invited person who consented, `lead` minutes ahead, moved to a safe hour.

    With no safe moment before the occurrence the row is made missed ("no_safe_time"), so
    the caseworker sees why the person was not reminded. `only` limits it to one person.
    """
    query = select(AppointmentPerson).where(AppointmentPerson.appointment_id == appt.id)
    if only is not None:
        query = query.where(AppointmentPerson.contact_id == only)
    invited = await session.scalars(query.order_by(AppointmentPerson.id))
    zone = ZoneInfo(appt.timezone)
    made: list[Reminder] = []
    for person in list(invited):
        if not await may_contact(session, person.contact_id):
            continue  # no consent, no message: not even a row that could fire later
        due = occurrence_at - timedelta(minutes=lead)
        safe = await safe_hours_of(session, person.contact_id)
        when = safe_hours.place(due, occurrence_at, safe, zone, now)
        made.append(
            await Reminders(session).add(
                kind=FOR_PERSON,
                appointment_id=appt.id,
                case_id=person.case_id,
                contact_id=person.contact_id,
                occurrence_at=occurrence_at,
                lead_minutes=lead,
                due_at=when or due,
                status=REMINDER_PENDING if when else REMINDER_MISSED,
                reason=None if when else NO_SAFE_TIME,
                created_at=now,
            )
        )
    return made


async def cancel_for_person(
    session: AsyncSession, contact_id: int, now: datetime, reason: str
) -> int:
    """Stop a person's pending reminders at once (consent withdrawn); how many.

    Those missed for want of a safe time are cancelled too: new safe hours would
    otherwise bring them back (replan_person).
    """
    await session.execute(
        update(Reminder)
        .where(
            Reminder.contact_id == contact_id, Reminder.kind == FOR_PERSON,
            Reminder.status == REMINDER_MISSED, Reminder.reason == NO_SAFE_TIME,
        )
        .values(status=REMINDER_CANCELLED, reason=reason)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return await Reminders(session).cancel_pending(reason=reason, contact_id=contact_id)


async def replan_person(session: AsyncSession, contact_id: int, now: datetime) -> int:
    """Place a person's reminders again after their safe hours changed; how many were placed.

    Rows missed for want of a safe time come back if the new hours give one, and only
    while the person's consent to be contacted stands.
    """
    if not await may_contact(session, contact_id):
        return 0
    safe = await safe_hours_of(session, contact_id)
    placed = 0
    for row in await Reminders(session).pending_of_person(contact_id, missed_too=True):
        if row.occurrence_at is None or row.occurrence_at <= now:
            continue  # passed: the ticker marks it missed, nothing to place
        if row.status == REMINDER_MISSED and row.reason != NO_SAFE_TIME:
            continue
        appt = await session.get(Appointment, row.appointment_id) if row.appointment_id else None
        zone = ZoneInfo(appt.timezone if appt is not None else DEFAULT_ZONE)
        due = row.occurrence_at - timedelta(minutes=row.lead_minutes or 0)
        when = safe_hours.place(due, row.occurrence_at, safe, zone, now)
        if when is None:
            row.status, row.reason = REMINDER_MISSED, NO_SAFE_TIME
        else:
            row.status, row.reason, row.due_at = REMINDER_PENDING, None, when
        placed += 1
    return placed


async def resume_person(session: AsyncSession, contact_id: int, now: datetime) -> int:
    """After a person consents again, plan their reminders of appointments still ahead."""
    if not await may_contact(session, contact_id):
        return 0
    ahead = await session.scalars(
        select(Appointment)
        .join(AppointmentPerson, AppointmentPerson.appointment_id == Appointment.id)
        .where(
            AppointmentPerson.contact_id == contact_id,
            Appointment.status == SCHEDULED,
            Appointment.next_at > now,
        )
        .order_by(Appointment.id)
    )
    made = 0
    for appt in list(ahead):
        assert appt.next_at is not None
        live = await session.scalar(
            select(Reminder.id).where(
                Reminder.appointment_id == appt.id,
                Reminder.contact_id == contact_id,
                Reminder.kind == FOR_PERSON,
                Reminder.occurrence_at == appt.next_at,
                Reminder.status != REMINDER_CANCELLED,
            )
        )
        if live is not None:
            continue  # this occurrence already has the person's reminder: never two
        lead = (await leads_for(session, appt))[2]
        made += len(await plan_people(session, appt, appt.next_at, lead, now, contact_id))
    return made
