"""/console/schedule: a team's appointments and reminders, and new peer-group meetings.

A caseworker sees their own team; supervisors and admins see every team, or one by the
filter. The meeting form offers the team's people by case number only (never a name or a
chat id): the server maps each chosen case to its person after checking the case is the
meeting team's, so a forged form cannot invite someone of another team.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.services.access import Actor
from bot.services.reminders import schedule
from bot.web.console.agenda import agenda
from bot.web.console.auth import SignedIn
from bot.web.console.render import NavItem, add_nav, render, translator
from bot.web.console.schedule_forms import (
    PLACE_MAX,
    TITLE_MAX,
    BadForm,
    choose_rule,
    local_start,
    parse_when,
    presets,
    refusal,
    text_field,
)
from bot.web.console.schedule_reads import ScheduleReads
from bot.web.console.schedule_texts import DONE, W
from bot.web.console.state import console_of
from db.accounts import Accounts
from db.audit import Audit
from db.case_reads import CaseReads

MAX_PEOPLE = 100
"""The most people one meeting invites."""


def chosen_team(actor: Actor, asked: str, teams: list[str]) -> str | None:
    """The team shown: a caseworker's own; for supervisors the filter (None: all teams)."""
    if not actor.sees_all:
        return actor.team
    return asked if asked in teams else None


async def schedule_page(
    request: Request, actor: Actor, *, status: int = 200, error: str = "",
    form: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """The page, with what just happened (?done=) or why a form was refused."""
    app = console_of(request).app
    t, now, zone = translator(request, actor), app.conversations.clock(), app.settings.timezone
    async with app.conversations.sessions() as session:
        teams = [team.code for team in await Accounts(session).teams()]
        asked = request.query_params.get("team", "") or str((form or {}).get("team", ""))
        team = chosen_team(actor, asked, teams)
        lists = await agenda(session, t, zone, now, team=team)
        meeting_team = team or actor.team
        cases = await ScheduleReads(session).team_cases(meeting_team)
    done = request.query_params.get("done", "")
    return render(
        request, actor, "console/schedule.html", status=status, w=W, visits=lists,
        teams=teams if actor.sees_all else [], team=team or "", all_teams=team is None,
        meeting_team=meeting_team, cases=[c.id for c in cases], zone=zone,
        presets=presets(), error=t(error) if error else "", form=form or {},
        done=t(DONE[done]) if done in DONE else "",
    )  # fmt: skip


def schedule_router() -> APIRouter:
    """GET /console/schedule and POST /console/schedule/meetings."""
    router = APIRouter()
    add_nav(NavItem(W["nav"], "/console/schedule"))

    @router.get("/console/schedule", response_class=HTMLResponse)
    async def show(request: Request, actor: SignedIn) -> Response:
        """The team's (or every team's) appointments and reminders."""
        return await schedule_page(request, actor)

    @router.post("/console/schedule/meetings", response_class=HTMLResponse)
    async def new_meeting(request: Request, actor: SignedIn) -> Response:
        """A recurring peer-group meeting for people of one team, chosen by case number."""
        app = console_of(request).app
        now, zone = app.conversations.clock(), app.settings.timezone
        raw = await request.form()
        form = {k: str(v) for k, v in raw.items() if k != "case"}
        chosen = [str(v) for v in raw.getlist("case")]
        form["cases"] = ",".join(chosen)
        try:
            async with app.conversations.sessions() as session:
                teams = [team.code for team in await Accounts(session).teams()]
            team = form.get("team", "") if actor.sees_all else actor.team
            if team not in teams:
                raise BadForm("console.schedule.error.team")
            title = text_field(form.get("title", ""), TITLE_MAX, "console.schedule.error.title",
                               required=True)  # fmt: skip
            place = text_field(form.get("place", ""), PLACE_MAX, "console.schedule.error.place")
            rule = choose_rule(form.get("preset", ""), form.get("rule", ""))
            start = local_start(form.get("date", ""), form.get("time", ""))
            parse_when(form.get("date", ""), form.get("time", ""), zone, now)
            ids = {int(c) for c in chosen if c.isascii() and c.isdigit() and len(c) < 12}
            if not ids or len(ids) != len(chosen) or len(ids) > MAX_PEOPLE:
                raise BadForm("console.schedule.error.people")
            async with app.conversations.sessions() as session, session.begin():
                reads = CaseReads(session)
                contacts: list[int] = []
                for case_id in sorted(ids):
                    case = await reads.get(case_id)
                    if case is None or case.team != team or case.contact_id is None:
                        raise BadForm("console.schedule.error.people")
                    if case.contact_id not in contacts:
                        contacts.append(case.contact_id)
                appt = await schedule.schedule_meeting(
                    session, team=team, title=title, place=place or None, note=None, rule=rule,
                    start_local=start, zone=zone, contact_ids=contacts, created_by=actor.id,
                    now=now,
                )  # fmt: skip
                await session.flush()
                Audit(session).record(
                    actor.id, actor.username, "meeting.schedule", now,
                    detail=f"appointment={appt.id} team={team} people={len(contacts)}",
                    address=actor.address,
                )  # fmt: skip
        except ValueError as bad:
            return await schedule_page(request, actor, status=400, error=refusal(bad), form=form)
        return RedirectResponse("/console/schedule?done=meeting", status_code=303)

    return router
