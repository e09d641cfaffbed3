"""A person's reminder fires as a SYSTEM event through the unit of work, exactly once.

The event's external id is the reminder and its occurrence, so de-duplication makes the
firing happen once even if two tickers ever raced. The effect decides, with the person
locked, whether it is still to be sent: a reminder that is no longer ours, whose person
withdrew consent, whose occurrence passed, or that now falls outside the person's safe
hours ends the unit silently. Such a unit forgets its external id again (a re-placed
reminder fires later under the same id), so only a sent reminder keeps it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders.safe_hours import inside, place
from bot.services.unit import Unit
from db.claims import release_values
from db.models import (
    REMINDER_CANCELLED,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    VISIT,
    Appointment,
    Contact,
    ContactPrefs,
    InboundEvent,
    Reminder,
)
from db.reminders import Reminders
from db.repositories import Consents
from dialogs.events import Inbound, Kind

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

PAYLOAD = "reminder:due"


def external_id(reminder: Reminder) -> str:
    """The reminder and its occurrence: the same firing always has the same id."""
    at = reminder.occurrence_at or reminder.due_at
    return f"reminder:{reminder.id}:{at:%Y%m%dT%H%MZ}"


async def _event(session: AsyncSession, reminder: Reminder, contact: Contact) -> Inbound:
    """The SYSTEM event the engine words; it carries ids and the code word only."""
    appointment = (
        await session.get(Appointment, reminder.appointment_id)
        if reminder.appointment_id is not None
        else None
    )
    prefs = await session.get(ContactPrefs, contact.id)
    at = reminder.occurrence_at or reminder.due_at
    return Inbound(
        channel=contact.channel,
        chat=contact.chat_id,
        user="",
        kind=Kind.SYSTEM,
        payload=PAYLOAD,
        external_id=external_id(reminder),
        data={
            "reminder": reminder.id,
            "at": at.isoformat(),
            "what": appointment.kind if appointment is not None else VISIT,
            "code_word": (prefs.code_word if prefs is not None else None) or "",
        },
    )


async def fire_person(app: App, reminder_id: int, owner: str) -> bool:
    """Send one claimed FOR_PERSON reminder; True if it was marked sent."""
    conversations = app.conversations
    now = conversations.clock()
    async with conversations.sessions() as session, session.begin():
        reminder = await session.get(Reminder, reminder_id)
        if reminder is None or reminder.status != REMINDER_PENDING:
            return False
        if reminder.claimed_by != owner:
            return False
        contact = (
            await session.get(Contact, reminder.contact_id)
            if reminder.contact_id is not None
            else None
        )
        if contact is None:  # erased meanwhile: nobody to remind
            await Reminders(session).finish(reminder_id, owner, REMINDER_CANCELLED, now, "erased")
            return False
        event, contact_id = await _event(session, reminder, contact), contact.id
    zone, sent, decided = ZoneInfo(app.settings.timezone), False, False

    async def effect(unit: Unit) -> None:
        """Decide with the person locked; only a reminder that is sent keeps its event id."""
        nonlocal sent, decided
        sent, decided = await _decide(unit, reminder_id, owner, zone), True
        if not sent:
            unit.silent = True
            await unit.session.execute(
                delete(InboundEvent).where(
                    InboundEvent.channel == event.channel,
                    InboundEvent.external_id == event.external_id,
                )
            )

    await conversations.handle(event, outbox=True, effect=effect, contact_id=contact_id)
    if not decided:  # its event was handled before (or the person erased): never again
        async with conversations.sessions() as session, session.begin():
            await Reminders(session).finish(reminder_id, owner, REMINDER_SENT, now, "duplicate")
    return sent


async def _decide(unit: Unit, reminder_id: int, owner: str, zone: ZoneInfo) -> bool:
    """Mark the reminder sent, or record why not (cancelled, missed, moved); True if sent."""
    session, now = unit.session, unit.now
    reminder = await session.scalar(
        select(Reminder)
        .where(Reminder.id == reminder_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if reminder is None or reminder.status != REMINDER_PENDING or reminder.claimed_by != owner:
        return False  # done or taken by another process meanwhile: theirs to record
    reminders = Reminders(session)
    if (await Consents(session).latest(unit.contact.id)).get("contact") is not True:
        await reminders.finish(reminder_id, owner, REMINDER_CANCELLED, now, "consent")
        return False
    occurrence = reminder.occurrence_at
    if occurrence is not None and occurrence <= now:
        await reminders.finish(reminder_id, owner, REMINDER_MISSED, now, "passed")
        return False
    prefs = await session.get(ContactPrefs, unit.contact.id)
    safe = prefs.safe_hours if prefs is not None else None
    if not inside(now, safe, zone):
        later = None if occurrence is None else place(now, occurrence, safe, zone, now)
        if later is None:
            await reminders.finish(reminder_id, owner, REMINDER_MISSED, now, "no_safe_time")
            return False
        for name, value in {"due_at": later, **release_values()}.items():
            setattr(reminder, name, value)
        log.info("reminder %s moved into the person's safe hours", reminder_id)
        return False
    return bool(await reminders.finish(reminder_id, owner, REMINDER_SENT, now))
