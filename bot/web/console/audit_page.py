"""/console/audit: the audit log for admins, read-only, newest first, filtered by case or action.

There is no route that writes here: rows come only from the actions themselves (db.audit),
and on PostgreSQL a trigger refuses UPDATE and DELETE.
"""

from __future__ import annotations

from babel.dates import format_datetime
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.app import App
from bot.services.access import Actor
from bot.services.figures import ZONE
from bot.web.console import NavItem, add_nav, render, require_actor
from db.audit import Audit
from dialogs.i18n import N_

SHOWN = 200
TEXTS = {
    "title": N_("console.audit.title"), "intro": N_("console.audit.intro"),
    "case": N_("console.audit.case"), "action": N_("console.audit.action"),
    "any": N_("console.audit.any"), "filter": N_("console.audit.filter"),
    "at": N_("console.audit.at"), "who": N_("console.audit.who"),
    "detail": N_("console.audit.detail"), "address": N_("console.audit.address"),
    "none": N_("console.audit.none"), "bad_case": N_("console.audit.bad_case"),
    "nav": N_("console.nav.audit"), "shown": N_("console.audit.shown"),
}  # fmt: skip


def router(app: App) -> APIRouter:
    """GET only: a page to read, nothing to change."""
    routes = APIRouter()
    add_nav(NavItem(TEXTS["nav"], "/console/audit", "admin"))
    admin = Depends(require_actor("admin"))

    @routes.get("/console/audit", response_class=HTMLResponse)
    async def audit(
        request: Request, case: str = "", action: str = "",
        actor: Actor = admin,
    ) -> Response:  # fmt: skip
        """The newest rows first; case and action narrow them."""
        case_id = int(case) if case.strip().isdigit() else None
        bad_case = bool(case.strip()) and case_id is None
        async with app.conversations.sessions() as session:
            log = Audit(session)
            actions = await log.actions()
            chosen = action if action in actions else ""
            rows = await log.recent(SHOWN, case_id=case_id, action=chosen or None)
        lang = actor.locale if actor.locale in ("vi", "en") else "vi"
        entries = [(format_datetime(r.at.astimezone(ZONE), "short", locale=lang), r) for r in rows]
        return render(
            request, actor, "console/audit.html", status=400 if bad_case else 200, w=TEXTS,
            entries=entries, actions=actions, chosen=chosen, case=case[:12],
            bad_case=bad_case, shown=SHOWN,
        )  # fmt: skip

    return routes
