"""Erasure on request: removes a person's data and unlinks what the caseworkers must keep."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    HANDOFF_ERASED,
    VISIT,
    Appointment,
    AppointmentPerson,
    CaseNote,
    Consent,
    Contact,
    ContactPrefs,
    ConversationState,
    Declaration,
    HandoffRequest,
    Media,
    Message,
    OutboxItem,
    Reminder,
)

__all__ = ["erase_contact"]

# Every table that points at contacts with ON DELETE CASCADE. They are also deleted
# explicitly, so that erasure does not depend on the connection having enforced foreign
# keys (SQLite enforces them only when PRAGMA foreign_keys=ON was set on that connection).
_OWNED = (
    Reminder, AppointmentPerson, ContactPrefs, Message, Media, Declaration, Consent,
    ConversationState,
)  # fmt: skip
KEPT = {
    "handoff_requests": "the case stays for the caseworkers' record and the counts, unlinked: "
    "no person, no note, no verification code; its notes and messages are deleted",
    "outbox": "an item in the middle of its send is unlinked, and its sender then deletes "
    "what it showed; every other item of the chat is deleted (db.outbox)",
}
"""Tables that point at contacts and outlive an erase, and why: tests/db check every other
foreign key to contacts is in _OWNED."""


async def erase_contact(session: AsyncSession, contact_id: int, now: datetime) -> bool:
    """Erase the person in the caller's transaction.

    Handoff requests are kept for the caseworkers' record but lose the link to the person
    and the caseworker's note: then it returns True (anonymised); with none, nothing remains
    and it returns False. A contact that does not exist returns False. The caller commits,
    then on SQLite calls db.session.checkpoint so the deleted rows also leave the -wal file.
    """
    kept = (
        await session.scalars(
            select(HandoffRequest.id).where(HandoffRequest.contact_id == contact_id)
        )
    ).all()
    if kept:
        await session.execute(delete(CaseNote).where(CaseNote.case_id.in_(kept)))
        await _cancel_visits(session, kept, now)
        await session.execute(
            update(HandoffRequest)
            .where(HandoffRequest.id.in_(kept))
            .values(
                contact_id=None, note=None, anonymised_at=now, status=HANDOFF_ERASED,
                verify_code=None, updated_at=now,
            )
        )  # fmt: skip
    for model in _OWNED:
        await session.execute(delete(model).where(model.contact_id == contact_id))
    # An item in the middle of its send is unlinked, not deleted: its sender then sees
    # the erase and takes back what it showed (bot.services.outbox).
    await session.execute(
        update(OutboxItem).where(OutboxItem.contact_id == contact_id).values(contact_id=None)
    )
    await session.execute(delete(Contact).where(Contact.id == contact_id))
    return bool(kept)


async def _cancel_visits(session: AsyncSession, cases: Sequence[int], now: datetime) -> None:
    """The person's visits stop, and lose where and why: their words may name the person."""
    visits = select(Appointment.id).where(Appointment.case_id.in_(cases), Appointment.kind == VISIT)
    await session.execute(delete(Reminder).where(Reminder.appointment_id.in_(visits)))
    await session.execute(
        update(Appointment)
        .where(Appointment.id.in_(visits))
        .values(status="cancelled", title=None, place=None, note=None, next_at=None, updated_at=now)
    )
