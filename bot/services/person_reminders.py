"""A person's side of reminders on the database: their answers, preferences and consent.

The scheduling rules live in bot.services.reminders.schedule; this module only calls them
when the person changed something that pending reminders depend on. It imports them
where they are used, and only when such reminders exist, so that a person who was never
reminded costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import EllipsisType
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders import schedule
from bot.services.reminders.leads import SCHEDULED
from db.models import (
    FOR_PERSON,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    SAFE_HOURS,
    Appointment,
    AppointmentPerson,
    CaseNote,
    ContactPrefs,
    HandoffRequest,
    OutboxItem,
    Reminder,
)
from db.outbox import MESSAGE, PENDING
from db.repositories import Consents
from dialogs import buttons as B
from dialogs.ports import ANSWERS, ReminderPrefs
from dialogs.reminder_prefs import CODE_WORD_MAX, CONTACT

NOTE_KIND = "reminder"
"""A case note of this kind holds a neutral code ("reminder:confirmed"), never words."""
WITHDRAWN = "consent"
"""The reason given to reminders cancelled because consent was withdrawn."""


async def answer(
    session: AsyncSession,
    contact_id: int,
    reminder_id: int,
    given: str,
    now: datetime,
    cases: set[int],
) -> bool:
    """Record the person's answer to a reminder they received; False if it is not current.

    Not current: unknown, someone else's, not sent (cancelled, missed), its time passed,
    or the appointment was cancelled. The answer goes on the person's row of the
    appointment and, as a note, on the case it is recorded on, whose id joins `cases` so
    that the caseworker's live view is told, whether the case is open or closed.
    """
    reminder = await session.get(Reminder, reminder_id)
    if (
        given not in ANSWERS
        or reminder is None
        or (reminder.kind, reminder.contact_id, reminder.status)
        != (FOR_PERSON, contact_id, REMINDER_SENT)
        or reminder.appointment_id is None
        or reminder.occurrence_at is None
        or reminder.occurrence_at <= now
    ):
        return False
    appointment = await session.get(Appointment, reminder.appointment_id)
    person = await session.scalar(
        select(AppointmentPerson).where(
            AppointmentPerson.appointment_id == reminder.appointment_id,
            AppointmentPerson.contact_id == contact_id,
        )
    )
    if appointment is None or appointment.status != SCHEDULED or person is None:
        return False
    person.answer, person.answered_for, person.answered_at = given, reminder.occurrence_at, now
    case_id = person.case_id or reminder.case_id or appointment.case_id
    if case_id is not None and await session.get(HandoffRequest, case_id) is not None:
        body = f"{NOTE_KIND}:{given}"
        session.add(CaseNote(case_id=case_id, kind=NOTE_KIND, body=body, created_at=now))
        cases.add(case_id)
    return True


async def prefs(session: AsyncSession, contact_id: int) -> ReminderPrefs:
    """Consent in force for later contact, and the person's safe hours and code word."""
    consent = (await Consents(session).latest(contact_id)).get(CONTACT)
    row = await session.get(ContactPrefs, contact_id)
    if row is None:
        return ReminderPrefs(consent)
    return ReminderPrefs(consent, row.safe_hours, row.code_word)


async def set_prefs(
    session: AsyncSession,
    contact_id: int,
    now: datetime,
    *,
    safe_hours: str | EllipsisType | None = ...,
    code_word: str | EllipsisType | None = ...,
) -> None:
    """Change what is given; new safe hours move the pending reminders into them at once."""
    if isinstance(safe_hours, str) and safe_hours not in SAFE_HOURS:
        raise ValueError(f"safe hours must be one of {SAFE_HOURS}")
    row = await session.get(ContactPrefs, contact_id)
    if row is None:
        row = ContactPrefs(contact_id=contact_id, updated_at=now)
        session.add(row)
    moved = not isinstance(safe_hours, EllipsisType) and safe_hours != row.safe_hours
    if not isinstance(safe_hours, EllipsisType):
        row.safe_hours = safe_hours
    if not isinstance(code_word, EllipsisType):
        row.code_word = (code_word.strip()[:CODE_WORD_MAX] or None) if code_word else None
    row.updated_at = now
    if moved and await _reminded(session, contact_id, (REMINDER_PENDING, REMINDER_MISSED)):
        await session.flush()  # missed ones too: new hours may give them a safe time
        await schedule.replan_person(session, contact_id, now)


async def consent_recorded(
    session: AsyncSession, contact_id: int, purpose: str, granted: bool, now: datetime
) -> None:
    """Consent to later contact withdrawn: every pending reminder of theirs stops now.

    Given (again): the appointments still ahead that they are invited to get their
    reminders, as if the consent had been there when the caseworker made them.
    """
    if purpose != CONTACT:
        return
    if not granted:
        await _drop_queued(session, contact_id)
    if not granted and await _reminded(session, contact_id, (REMINDER_PENDING, REMINDER_MISSED)):
        await session.flush()
        await schedule.cancel_for_person(session, contact_id, now, WITHDRAWN)
    elif granted and await _invited(session, contact_id):
        await session.flush()
        await schedule.resume_person(session, contact_id, now)


async def _drop_queued(session: AsyncSession, contact_id: int) -> None:
    """Reminders already fired but still in the outbox (rate limits, retries) go unsent.

    One caught inside its send call cannot be stopped; that is seconds, never hours.
    """
    queued = await session.scalars(
        select(OutboxItem).where(
            OutboxItem.contact_id == contact_id, OutboxItem.status == PENDING,
            OutboxItem.kind == MESSAGE,
        )
    )  # fmt: skip
    for item in queued:
        reply = (item.payload or {}).get("reply") or {}
        pressed = [cell[1] for row in reply.get("buttons", []) for cell in row if len(cell) > 1]
        if any(str(payload).startswith(B.REMINDER) for payload in pressed):
            await session.delete(item)


async def declared_safe_hours(
    session: AsyncSession, contact_id: int, answers: Mapping[str, Any], now: datetime
) -> None:
    """A declaration's safe hours become the reminders' own, unless the person chose some."""
    value = answers.get("safe_hours")
    if value not in SAFE_HOURS:
        return
    row = await session.get(ContactPrefs, contact_id)
    if row is None or row.safe_hours is None:
        await set_prefs(session, contact_id, now, safe_hours=value)


async def _reminded(session: AsyncSession, contact_id: int, statuses: tuple[str, ...]) -> bool:
    """Whether this person has a reminder in one of these states (pending: still to send)."""
    found = await session.scalar(
        select(Reminder.id)
        .where(
            Reminder.kind == FOR_PERSON,
            Reminder.contact_id == contact_id,
            Reminder.status.in_(statuses),
        )
        .limit(1)
    )
    return found is not None


async def _invited(session: AsyncSession, contact_id: int) -> bool:
    """Whether a caseworker ever invited this person to an appointment."""
    found = await session.scalar(
        select(AppointmentPerson.id).where(AppointmentPerson.contact_id == contact_id).limit(1)
    )
    return found is not None
