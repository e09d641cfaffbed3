"""Queries on the reminders table, the truth the ticker claims; the caller owns the transaction.

Rows are claimed with db.claims (leases, SKIP LOCKED on PostgreSQL), so two processes never
fire one reminder, and a process that died mid-way leaves its rows to the next once the
lease runs out. An outcome is recorded only while the lease is still the recorder's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.claims import claim, expired, held_by, release_values
from db.models import (
    FOR_CASEWORKER,
    FOR_PERSON,
    REMINDER_CANCELLED,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    Appointment,
    Reminder,
)

__all__ = ["Reminders"]


class Reminders:
    """The reminders of appointments and urgent cases."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_due(
        self, now: datetime, owner: str, lease: timedelta, limit: int
    ) -> list[Reminder]:
        """Lease up to limit pending rows due by now, oldest first, that nobody else holds."""
        return await claim(
            self._session,
            Reminder,
            where=[
                Reminder.status == REMINDER_PENDING,
                Reminder.due_at <= now,
                expired(Reminder, now),
            ],
            order_by=[Reminder.due_at, Reminder.id],
            limit=limit,
            owner=owner,
            now=now,
            lease=lease,
        )

    async def finish(
        self, id: int, owner: str, status: str, now: datetime, reason: str | None = None
    ) -> bool:
        """Record the outcome and end the lease; False if the lease is no longer owner's.

        `id` is named as the shared contract names it, so keyword callers agree.
        """
        result = await self._session.execute(
            update(Reminder)
            .where(Reminder.id == id, held_by(Reminder, owner))
            .values(status=status, reason=reason, fired_at=now, **release_values())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def add(self, **values: Any) -> Reminder:
        """A new row (pending unless told); flushed, so its id is known."""
        values.setdefault("status", REMINDER_PENDING)
        reminder = Reminder(**values)
        self._session.add(reminder)
        await self._session.flush()
        return reminder

    async def pending_of_person(
        self, contact_id: int, *, missed_too: bool = False
    ) -> list[Reminder]:
        """A person's reminders to send (and, if asked, those missed for want of a safe time)."""
        statuses = (REMINDER_PENDING, REMINDER_MISSED) if missed_too else (REMINDER_PENDING,)
        rows = await self._session.scalars(
            select(Reminder)
            .where(
                Reminder.contact_id == contact_id,
                Reminder.kind == FOR_PERSON,
                Reminder.status.in_(statuses),
            )
            .order_by(Reminder.due_at, Reminder.id)
        )
        return list(rows)

    async def cancel_pending(
        self, *, reason: str, appointment_id: int | None = None, contact_id: int | None = None
    ) -> int:
        """Cancel pending rows of an appointment or of a person; leases end, so a firing stops."""
        where: list[ColumnElement[bool]] = [Reminder.status == REMINDER_PENDING]
        if appointment_id is not None:
            where.append(Reminder.appointment_id == appointment_id)
        if contact_id is not None:
            where += [Reminder.contact_id == contact_id, Reminder.kind == FOR_PERSON]
        if len(where) == 1:
            raise ValueError("cancel_pending needs an appointment or a person")
        result = await self._session.execute(
            update(Reminder)
            .where(*where)
            .values(status=REMINDER_CANCELLED, reason=reason, **release_values())
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    @staticmethod
    def _shown(team: str | None, case_id: int | None) -> Select[tuple[Reminder]]:
        """Appointment reminders (not urgent alerts), of a team and/or a case."""
        query = select(Reminder).join(Appointment, Appointment.id == Reminder.appointment_id)
        if team is not None:
            query = query.where(Appointment.team == team)
        if case_id is not None:
            query = query.where(Reminder.case_id == case_id)
        return query

    async def upcoming(
        self, team: str | None, case_id: int | None, now: datetime, limit: int
    ) -> list[Reminder]:
        """Reminders still to send for appointments not yet passed, soonest first."""
        rows = await self._session.scalars(
            self._shown(team, case_id)
            .where(Reminder.status == REMINDER_PENDING, Reminder.occurrence_at > now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
        )
        return list(rows)

    async def missed(
        self, team: str | None, case_id: int | None, since: datetime, limit: int
    ) -> list[Reminder]:
        """Reminders that could not go (passed, no safe time), latest first."""
        rows = await self._session.scalars(
            self._shown(team, case_id)
            .where(Reminder.status == REMINDER_MISSED, Reminder.due_at >= since)
            .order_by(Reminder.due_at.desc(), Reminder.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def for_caseworker(
        self, caseworker_id: int, now: datetime, within: timedelta = timedelta(days=1)
    ) -> list[Reminder]:
        """A caseworker's reminders that fired lately, for appointments not long past."""
        rows = await self._session.scalars(
            select(Reminder)
            .where(
                Reminder.caseworker_id == caseworker_id,
                Reminder.kind == FOR_CASEWORKER,
                Reminder.status == REMINDER_SENT,
                Reminder.fired_at >= now - within,
                Reminder.occurrence_at >= now - within,
            )
            .order_by(Reminder.occurrence_at, Reminder.id)
        )
        return list(rows)

    async def of_appointments(self, ids: Sequence[int]) -> list[Reminder]:
        """Every reminder of these appointments, by due time (for tests and the console)."""
        if not ids:
            return []
        rows = await self._session.scalars(
            select(Reminder)
            .where(Reminder.appointment_id.in_(list(ids)))
            .order_by(Reminder.due_at, Reminder.id)
        )
        return list(rows)
