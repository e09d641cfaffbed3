"""The inbox: the cases an account may see, by view, most urgent and oldest first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.services.access import Actor, can_see
from bot.web.console.agenda import yours
from bot.web.console.auth import SignedIn
from bot.web.console.render import render, translator
from bot.web.console.schedule_texts import W as SCHEDULE_WORDS
from bot.web.console.state import Console, console_of
from bot.web.console.views import case_view
from db.case_reads import VIEWS, CaseReads, Viewer
from db.models import HandoffRequest

VIEW_TEXTS = {view: f"view_{view}" for view in VIEWS}


def viewer(actor: Actor) -> Viewer:
    """The reader, as the queries need them."""
    return Viewer(actor.id, actor.team, actor.sees_all)


def rows(
    request: Request, actor: Actor, cases: list[HandoffRequest], names: dict[int, str]
) -> list[dict[str, Any]]:
    """Cases as the inbox lists them (each checked with the access rule once more)."""
    console = console_of(request)
    settings = console.app.settings
    t, now = translator(request, actor), console.app.conversations.clock()
    late = settings.console_wait_minutes * 60.0
    return [
        case_view(c, t, now, late, names, settings.timezone) for c in cases if can_see(actor, c)
    ]


async def read_queue(
    console: Console, actor: Actor, view: str
) -> tuple[list[HandoffRequest], dict[int, str]]:
    """One view's cases and the account names they mention."""
    async with console.app.conversations.sessions() as session:
        reads = CaseReads(session)
        return await reads.queue(view, viewer(actor)), await reads.names()


def inbox_router() -> APIRouter:
    """/console: the inbox."""
    router = APIRouter()

    @router.get("/console", response_class=HTMLResponse)
    async def inbox(request: Request, actor: SignedIn, view: str = "") -> Response:
        """One view of the queue; a caseworker's default is their team's open cases."""
        view = view if view in VIEWS else ("mine" if view else "team")
        if view == "all" and not actor.sees_all:
            view = "team"
        console = console_of(request)
        cases, names = await read_queue(console, actor, view)
        t, app = translator(request, actor), console.app
        async with app.conversations.sessions() as session:
            reminders = await yours(
                session, t, app.settings.timezone, app.conversations.clock(), actor.id
            )
        return render(
            request, actor, "console/inbox.html", cases=rows(request, actor, cases, names),
            view=view, view_label=t(f"console.view.{view}"), live=f"/console/live?view={view}",
            reminders=reminders, w=SCHEDULE_WORDS,
        )  # fmt: skip

    return router
