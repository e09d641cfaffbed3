"""One read for the lists of console/_appointments.html: appointments, upcoming and missed
reminders, of a case or of a team.

The case page and the schedule page show the same lists with the same words; this builds
them once, from the rows (bot.web.console.schedule_reads), in the reader's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.schedule_forms import appointment_view, presets, reminder_view
from bot.web.console.schedule_reads import ScheduleReads
from db.case_reads import CaseReads
from db.models import Reminder
from dialogs.i18n import Translator

MISSED_DAYS = 30
"""How far back the missed reminders are listed."""


def rule_labels(t: Translator) -> dict[str, str]:
    """A preset's rule shown by its name; a custom rule as it is."""
    return {rule: t(msgid) for _key, msgid, rule in presets()}


async def agenda(
    session: AsyncSession, t: Translator, zone: str, now: datetime, *,
    team: str | None = None, case_id: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Appointments, upcoming reminders and missed reminders, ready for the template."""
    reads = ScheduleReads(session)
    appts = await reads.appointments(team=team, case_id=case_id)
    upcoming = await reads.upcoming(team, case_id, now)
    missed = await reads.missed(team, case_id, now - timedelta(days=MISSED_DAYS))
    reminded = await reads.appointments_of([*upcoming, *missed])
    ids = sorted({a.id for a in appts} | set(reminded))
    people = await reads.people(ids)
    case_of = {(p.appointment_id, p.contact_id): p.case_id for ps in people.values() for p in ps}
    names = await CaseReads(session).names()
    labels = rule_labels(t)

    def rows(reminders: list[Reminder]) -> list[dict[str, Any]]:
        return [reminder_view(r, reminded, t, zone, names, case_of) for r in reminders]

    return {
        "appointments": [appointment_view(a, people[a.id], t, zone, labels) for a in appts],
        "upcoming": rows(upcoming),
        "missed": rows(missed),
    }


async def yours(
    session: AsyncSession, t: Translator, zone: str, now: datetime, caseworker_id: int
) -> list[dict[str, Any]]:
    """The inbox strip: this account's own reminders of the last and the next day."""
    reads = ScheduleReads(session)
    mine = await reads.for_caseworker(caseworker_id, now)
    appts = await reads.appointments_of(mine)
    names = await CaseReads(session).names()
    found = [reminder_view(r, appts, t, zone, names, {}) for r in mine]
    for row, reminder in zip(found, mine, strict=True):
        appt = appts.get(reminder.appointment_id or 0)
        row["place"] = appt.place or "" if appt is not None else ""
    return found
