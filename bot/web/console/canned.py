"""/console/canned: supervisors and admins keep the canned replies; caseworkers read them.

Every change is audited (which reply, never its words). The case view lists a language's
replies with db.canned.canned_for(session, lang).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.services.access import Actor
from bot.web.console import NavItem, add_nav, render, require_actor
from db.audit import Audit
from db.canned import BODY_LENGTH, LANGS, TITLE_LENGTH, CannedReplies
from dialogs.i18n import N_

EDITORS = "supervisor"
"""The lowest role that may change canned replies (admins too)."""
TEXTS = {
    "title": N_("console.canned.title"), "intro": N_("console.canned.intro"),
    "read_only": N_("console.canned.read_only"), "none": N_("console.canned.none"),
    "lang": N_("console.canned.lang"), "reply_title": N_("console.canned.reply_title"),
    "body": N_("console.canned.body"), "save": N_("console.canned.save"),
    "delete": N_("console.canned.delete"), "add": N_("console.canned.add"),
    "create": N_("console.canned.create"), "saved": N_("console.canned.saved"),
    "deleted": N_("console.canned.deleted"), "gone": N_("console.canned.gone"),
    "bad_title": N_("console.canned.bad_title"), "bad_body": N_("console.canned.bad_body"),
    "bad_lang": N_("console.canned.bad_lang"), "nav": N_("console.nav.canned"),
    "vi": N_("console.canned.lang_vi"), "en": N_("console.canned.lang_en"),
}  # fmt: skip
DONE = {"saved", "deleted", "gone"}


def router(app: App) -> APIRouter:
    """Read for every account; create, change and delete for supervisors and admins."""
    routes = APIRouter()
    add_nav(NavItem(TEXTS["nav"], "/console/canned"))
    signed_in, editor = Depends(require_actor()), Depends(require_actor(EDITORS))

    async def page(request: Request, actor: Actor, status: int = 200, error: str = "",
                   form: dict[str, str] | None = None) -> Response:  # fmt: skip
        async with app.conversations.sessions() as session:
            replies = await CannedReplies(session).all()
        done = request.query_params.get("done", "")
        return render(
            request, actor, "console/canned.html", status=status, w=TEXTS,
            by_lang=[(lang, [r for r in replies if r.lang == lang]) for lang in LANGS],
            can_edit=actor.role in ("supervisor", "admin"), langs=LANGS, error=error,
            done=done if done in DONE else "", form=form or {}, title_max=TITLE_LENGTH,
            body_max=BODY_LENGTH,
        )  # fmt: skip

    def done(what: str) -> Response:
        return RedirectResponse(f"/console/canned?done={what}", status_code=303)

    def audit(actor: Actor, action: str, reply_id: int, lang: str, session: AsyncSession) -> None:
        Audit(session).record(
            actor.id, actor.username, action, app.conversations.clock(),
            detail=f"canned={reply_id} lang={lang}", address=actor.address,
        )  # fmt: skip

    @routes.get("/console/canned", response_class=HTMLResponse)
    async def canned(request: Request, actor: Actor = signed_in) -> Response:
        """The replies by language; editable for supervisors and admins."""
        return await page(request, actor)

    @routes.post("/console/canned", response_class=HTMLResponse)
    async def create(
        request: Request, lang: str = Form(""), title: str = Form(""), body: str = Form(""),
        actor: Actor = editor,
    ) -> Response:  # fmt: skip
        """Add a reply."""
        try:
            async with app.conversations.sessions() as session, session.begin():
                now = app.conversations.clock()
                reply = await CannedReplies(session).create(lang, title, body, actor.id, now)
                audit(actor, "canned.create", reply.id, reply.lang, session)
        except ValueError as bad:
            form = {"lang": lang, "title": title, "body": body}
            return await page(request, actor, 400, f"bad_{bad}", form)
        return done("saved")

    @routes.post("/console/canned/{reply_id}", response_class=HTMLResponse)
    async def update(
        request: Request, reply_id: int, lang: str = Form(""), title: str = Form(""),
        body: str = Form(""), actor: Actor = editor,
    ) -> Response:  # fmt: skip
        """Change a reply."""
        try:
            async with app.conversations.sessions() as session, session.begin():
                now = app.conversations.clock()
                reply = await CannedReplies(session).update(
                    reply_id, lang, title, body, actor.id, now
                )
                if reply is not None:
                    audit(actor, "canned.update", reply_id, reply.lang, session)
        except ValueError as bad:
            return await page(request, actor, 400, f"bad_{bad}")
        return done("saved" if reply is not None else "gone")

    @routes.post("/console/canned/{reply_id}/delete", response_class=HTMLResponse)
    async def delete(request: Request, reply_id: int, actor: Actor = editor) -> Response:
        """Remove a reply."""
        async with app.conversations.sessions() as session, session.begin():
            replies = CannedReplies(session)
            reply = await replies.get(reply_id)
            lang = reply.lang if reply else ""
            removed = await replies.delete(reply_id)
            if removed:
                audit(actor, "canned.delete", reply_id, lang, session)
        return done("deleted" if removed else "gone")

    return routes
