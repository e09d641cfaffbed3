"""Follow-up visits from the case page; reschedule and cancel of any appointment.

The forms are checked here (clear refusals, kept values); the rows are written by
bot.services.reminders.schedule, imported when a form is sent so the console starts
before that code is there. Access is the case rule (bot.services.access.can_see) for a
visit, and the team for a meeting; a refusal is the same 404 as an unknown id, audited.
Every change is audited with ids only, never the place or the note.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from bot.services.access import Actor, can_see
from bot.services.bus import CASE, Change
from bot.services.reminders import schedule
from bot.web.console.access_check import CaseRefused, audit, open_case
from bot.web.console.auth import SignedIn
from bot.web.console.cases import case_page, refused_page
from bot.web.console.render import translator
from bot.web.console.schedule_forms import (
    NOTE_MAX,
    PLACE_MAX,
    BadForm,
    parse_when,
    refusal,
    text_field,
)
from bot.web.console.schedule_reads import SCHEDULED, ScheduleReads
from bot.web.console.state import console_of
from db.audit import Audit
from db.case_reads import CaseReads
from db.models import HANDOFF_ERASED, VISIT, Appointment, HandoffRequest


async def may_change(request: Request, actor: Actor, appt: Appointment | None) -> bool:
    """A visit by its case's rule; a meeting by its team (supervisors and admins: all)."""
    if appt is None:
        return False
    if appt.kind == VISIT and appt.case_id is not None:
        async with console_of(request).app.conversations.sessions() as session:
            case = await CaseReads(session).get(appt.case_id)
        return case is not None and can_see(actor, case)
    return actor.sees_all or appt.team == actor.team


async def tell(request: Request, case_id: int | None) -> None:
    """After commit: other caseworkers watching the case see the visit change live."""
    if case_id is None:
        return
    app = console_of(request).app
    async with app.conversations.sessions() as session:
        case = await CaseReads(session).get(case_id)
    if case is not None:
        await app.conversations.publish([Change(CASE, case.id, case.contact_id, case.team)])


def visits_router() -> APIRouter:
    """POST /console/cases/<id>/visit/new, /console/appointments/<id>/(reschedule|cancel)."""
    router = APIRouter()

    @router.post("/console/cases/{case_id}/visit/new", response_class=HTMLResponse)
    async def new_visit(
        request: Request, case_id: int, actor: SignedIn, date: str = Form(""),
        time: str = Form(""), place: str = Form(""), note: str = Form(""),
    ) -> Response:  # fmt: skip
        """Schedule a follow-up visit of this case (the same one twice is made once)."""
        try:
            row = await open_case(request, actor, case_id, None)
        except CaseRefused:
            return refused_page(request, actor)
        app = console_of(request).app
        now = app.conversations.clock()
        try:
            if row.status == HANDOFF_ERASED or row.contact_id is None:
                raise BadForm("console.schedule.error.no_person")
            at = parse_when(date, time, app.settings.timezone, now)
            where = text_field(place, PLACE_MAX, "console.schedule.error.place")
            what = text_field(note, NOTE_MAX, "console.schedule.error.note")
            async with app.conversations.sessions() as session, session.begin():
                # Locked first: the same form sent to two processes makes one visit.
                case = await session.scalar(
                    select(HandoffRequest).where(HandoffRequest.id == case_id).with_for_update()
                )
                if case is None or not can_see(actor, case):
                    return refused_page(request, actor)
                same = await session.scalar(
                    select(Appointment.id).where(
                        Appointment.case_id == case_id, Appointment.kind == VISIT,
                        Appointment.status == SCHEDULED, Appointment.starts_at == at,
                    )
                )  # fmt: skip
                if same is None:
                    appt = await schedule.schedule_visit(
                        session, case=case, at=at, place=where or None, note=what or None,
                        created_by=actor.id, now=now, timezone=app.settings.timezone,
                    )  # fmt: skip
                    await session.flush()
                    Audit(session).record(
                        actor.id, actor.username, "visit.schedule", now, case_id=case_id,
                        detail=f"appointment={appt.id}", address=actor.address,
                    )  # fmt: skip
        except ValueError as bad:
            t = translator(request, actor)
            form = {"date": date, "time": time, "place": place, "note": note}
            return await case_page(
                request, actor, row, status=400, error=t(refusal(bad)), form=form
            )
        await tell(request, case_id)
        return RedirectResponse(f"/console/cases/{case_id}?done=visit#visits", status_code=303)

    async def refused_or_back(request: Request, actor: Actor, appt: Appointment, code: str,
                              status: int) -> Response:  # fmt: skip
        """A refusal on the page the form came from: the visit's case, or the schedule."""
        t = translator(request, actor)
        if appt.kind == VISIT and appt.case_id is not None:
            try:
                row = await open_case(request, actor, appt.case_id, None)
            except CaseRefused:
                return refused_page(request, actor)
            return await case_page(request, actor, row, status=status, error=t(code))
        from bot.web.console.schedule import schedule_page

        return await schedule_page(request, actor, status=status, error=code)

    def back(appt: Appointment, done: str) -> Response:
        if appt.kind == VISIT and appt.case_id is not None:
            target = f"/console/cases/{appt.case_id}?done={done}#visits"
        else:
            target = f"/console/schedule?done={done}"
        return RedirectResponse(target, status_code=303)

    async def change(request: Request, actor: Actor, appt_id: int, what: str,
                     date: str = "", time: str = "") -> Response:  # fmt: skip
        """Reschedule (visits only) or cancel one appointment."""
        app = console_of(request).app
        now = app.conversations.clock()
        async with app.conversations.sessions() as session:
            appt = await ScheduleReads(session).appointment(appt_id)
        if appt is None or not await may_change(request, actor, appt):
            detail = f"appointment={appt_id}"
            await audit(request, actor, "appointment_refused", None, detail=detail)
            return refused_page(request, actor)
        try:
            if appt.status != SCHEDULED or (what == "reschedule" and appt.kind != VISIT):
                raise BadForm("console.schedule.error.not_scheduled")
            zone = app.settings.timezone
            at = parse_when(date, time, zone, now) if what == "reschedule" else None
            async with app.conversations.sessions() as session, session.begin():
                if at is not None:
                    changed = await schedule.reschedule_visit(session, appt_id, at, now)
                else:
                    changed = await schedule.cancel_appointment(session, appt_id, now)
                if changed is None or changed is False:  # changed meanwhile by someone else
                    raise BadForm("console.schedule.error.not_scheduled")
                Audit(session).record(
                    actor.id, actor.username, f"{appt.kind}.{what}", now, case_id=appt.case_id,
                    detail=f"appointment={appt_id}", address=actor.address,
                )  # fmt: skip
        except ValueError as bad:
            return await refused_or_back(request, actor, appt, refusal(bad), 400)
        await tell(request, appt.case_id)
        return back(appt, "moved" if what == "reschedule" else "cancelled")

    @router.post("/console/appointments/{appt_id}/reschedule", response_class=HTMLResponse)
    async def reschedule(
        request: Request, appt_id: int, actor: SignedIn, date: str = Form(""),
        time: str = Form(""),
    ) -> Response:  # fmt: skip
        """Move a visit to another date and time; its pending reminders are planned again."""
        return await change(request, actor, appt_id, "reschedule", date, time)

    @router.post("/console/appointments/{appt_id}/cancel", response_class=HTMLResponse)
    async def cancel(request: Request, appt_id: int, actor: SignedIn) -> Response:
        """Cancel a visit or a meeting; its pending reminders are cancelled."""
        return await change(request, actor, appt_id, "cancel")

    return router
