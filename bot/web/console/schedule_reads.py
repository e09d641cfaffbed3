"""The console's reads of appointments and reminders, straight from the tables.

Why here and not db.reminders: the lists only read, and reading the schema directly keeps
the console's pages working whatever the scheduling code does with the rows (the rows are
the truth). Writes always go through bot.services.reminders.schedule. Every read is
limited to a team (None: all teams, for supervisors and admins) or a case; the caller
checks the account may see that team or case.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminders.leads import SCHEDULED
from db.models import (
    CASE_OPEN,
    FOR_CASEWORKER,
    FOR_PERSON,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    Appointment,
    AppointmentPerson,
    HandoffRequest,
    Reminder,
)

LIMIT = 200
PEOPLE_LIMIT = 500
"""The most people a meeting form offers (a team has far fewer open cases)."""


def invited(case_id: int) -> Select[tuple[int]]:
    """The appointments whose people record their answers on this case."""
    return select(AppointmentPerson.appointment_id).where(AppointmentPerson.case_id == case_id)


class ScheduleReads:
    """Appointments, their people and reminders; the caller owns the session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def appointment(self, appointment_id: int) -> Appointment | None:
        """One appointment, whatever its status (the caller checks access)."""
        return await self._session.get(Appointment, appointment_id)

    async def appointments(
        self, *, team: str | None = None, case_id: int | None = None, limit: int = LIMIT
    ) -> list[Appointment]:
        """Scheduled appointments, next first: the team's, or a case's visits and the meetings
        its person is invited to."""
        query = select(Appointment).where(Appointment.status == SCHEDULED)
        if case_id is not None:
            query = query.where(
                or_(Appointment.case_id == case_id, Appointment.id.in_(invited(case_id)))
            )
        if team is not None:
            query = query.where(Appointment.team == team)
        order = (Appointment.next_at.is_(None), Appointment.next_at, Appointment.id)
        return list(await self._session.scalars(query.order_by(*order).limit(limit)))

    async def people(self, appointment_ids: list[int]) -> dict[int, list[AppointmentPerson]]:
        """Each appointment's people with their latest answer, by appointment id."""
        found: dict[int, list[AppointmentPerson]] = {i: [] for i in appointment_ids}
        if not appointment_ids:
            return found
        rows = await self._session.scalars(
            select(AppointmentPerson)
            .where(AppointmentPerson.appointment_id.in_(appointment_ids))
            .order_by(AppointmentPerson.case_id, AppointmentPerson.id)
        )
        for row in rows:
            found[row.appointment_id].append(row)
        return found

    def _reminders(self, team: str | None, case_id: int | None) -> Select[tuple[Reminder]]:
        """Appointment reminders (not urgent alerts) of a team's or a case's appointments."""
        query = (
            select(Reminder)
            .join(Appointment, Appointment.id == Reminder.appointment_id)
            .where(Reminder.kind.in_((FOR_PERSON, FOR_CASEWORKER)))
        )
        if team is not None:
            query = query.where(Appointment.team == team)
        if case_id is not None:
            mine = Reminder.kind == FOR_PERSON
            query = query.where(
                or_(
                    Appointment.case_id == case_id, Reminder.case_id == case_id,
                    mine & Appointment.id.in_(invited(case_id)) & Reminder.contact_id.in_(
                        select(AppointmentPerson.contact_id).where(
                            AppointmentPerson.case_id == case_id
                        )
                    ),
                )
            )  # fmt: skip
        return query

    async def upcoming(
        self, team: str | None, case_id: int | None, now: datetime, limit: int = LIMIT
    ) -> list[Reminder]:
        """Reminders still to be sent, soonest first."""
        query = self._reminders(team, case_id).where(Reminder.status == REMINDER_PENDING)
        return list(await self._session.scalars(query.order_by(Reminder.due_at).limit(limit)))

    async def missed(
        self, team: str | None, case_id: int | None, since: datetime, limit: int = LIMIT
    ) -> list[Reminder]:
        """Reminders the service could not send in time, newest first."""
        query = self._reminders(team, case_id).where(
            Reminder.status == REMINDER_MISSED, Reminder.due_at >= since
        )
        order = Reminder.due_at.desc()
        return list(await self._session.scalars(query.order_by(order).limit(limit)))

    async def appointments_of(self, reminders: list[Reminder]) -> dict[int, Appointment]:
        """The appointments these reminders are about, by id."""
        ids = {r.appointment_id for r in reminders if r.appointment_id is not None}
        if not ids:
            return {}
        rows = await self._session.scalars(select(Appointment).where(Appointment.id.in_(ids)))
        return {row.id: row for row in rows}

    async def for_caseworker(
        self, caseworker_id: int, now: datetime, within: timedelta = timedelta(days=1)
    ) -> list[Reminder]:
        """The console reminder: this account's reminders sent in the last day or due soon."""
        sent = (Reminder.status == REMINDER_SENT) & (Reminder.fired_at >= now - within)
        soon = (Reminder.status == REMINDER_PENDING) & (Reminder.due_at <= now + within)
        query = select(Reminder).where(
            Reminder.kind == FOR_CASEWORKER, Reminder.caseworker_id == caseworker_id,
            or_(sent, soon), Reminder.occurrence_at >= now - within,
        )  # fmt: skip
        order = (Reminder.occurrence_at, Reminder.id)
        return list(await self._session.scalars(query.order_by(*order).limit(50)))

    async def team_cases(self, team: str | None) -> list[HandoffRequest]:
        """The newest case of each person of a team (open cases first), for the meeting form."""
        query = select(HandoffRequest).where(HandoffRequest.contact_id.is_not(None))
        if team is not None:
            query = query.where(HandoffRequest.team == team)
        rows = await self._session.scalars(query.order_by(HandoffRequest.id.desc()).limit(2000))
        newest: dict[int, HandoffRequest] = {}
        for row in rows:
            if row.contact_id is not None and row.contact_id not in newest:
                newest[row.contact_id] = row
        cases = sorted(newest.values(), key=lambda c: (c.status not in CASE_OPEN, c.id))
        return cases[:PEOPLE_LIMIT]
