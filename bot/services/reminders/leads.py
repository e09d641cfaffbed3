"""Who is reminded of an appointment, and how long before it.

A caseworker chooses lead times (e.g. a day and an hour before); a visit reminds the case's
assignee, who may not be the one who booked it, since part-time caseworkers rotate.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import VISIT, Appointment, Caseworker, HandoffRequest

SCHEDULED, CANCELLED, DONE = "scheduled", "cancelled", "done"
"""An appointment's status: still ahead, called off, or passed."""
PERSON_LEAD_MINUTES = 1440
"""A person's one reminder comes at most a day ahead: a week ahead is forgotten by the day,
and every message to a shared or watched phone is a risk of its own."""


def lead_times(text: str | None) -> list[int]:
    """A caseworker's lead times ("1440,60") as minutes, largest first; bad parts ignored."""
    found = {int(part) for part in (text or "").split(",") if part.strip().isdigit()}
    return sorted((m for m in found if m > 0), reverse=True)


async def recipient(session: AsyncSession, appt: Appointment) -> Caseworker | None:
    """The caseworker reminded: a visit's case assignee, else whoever made the appointment."""
    chosen = appt.created_by
    if appt.kind == VISIT and appt.case_id is not None:
        case = await session.get(HandoffRequest, appt.case_id)
        if case is not None and case.assignee_id is not None:
            chosen = case.assignee_id
    worker = await session.get(Caseworker, chosen) if chosen is not None else None
    return worker if worker is not None and worker.active else None


async def leads_for(
    session: AsyncSession, appt: Appointment
) -> tuple[Caseworker | None, list[int], int]:
    """The caseworker reminded, their lead times, and the person's (the largest, up to a day)."""
    worker = await recipient(session, appt)
    leads = lead_times(worker.lead_minutes) if worker is not None else []
    return worker, leads, min(leads[0], PERSON_LEAD_MINUTES) if leads else PERSON_LEAD_MINUTES
