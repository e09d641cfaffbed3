"""One case: its history both ways, notes, declarations, and the forms of its actions."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.services.access import Actor
from bot.services.refcode import PATTERN
from bot.web.console.access_check import CaseRefused, audit, open_case
from bot.web.console.agenda import agenda
from bot.web.console.auth import SignedIn
from bot.web.console.render import render, translator
from bot.web.console.schedule_texts import ANSWER_NOTE, ANSWERS
from bot.web.console.schedule_texts import DONE as SCHEDULE_DONE
from bot.web.console.schedule_texts import W as SCHEDULE_WORDS
from bot.web.console.state import console_of
from bot.web.console.texts import OUTCOMES, PRIORITY, REASONS
from bot.web.console.views import case_view, message_view, when
from db.accounts import Accounts
from db.canned import canned_for
from db.case_reads import CaseReads
from db.models import PRIORITIES, HandoffRequest
from dialogs.i18n import Translator

PDF_LANGS = ("vi", "en")


def note_body(kind: str, body: str, t: Translator) -> str:
    """A note as read; a person's answer to a reminder is stored as a code, shown in words."""
    answer = body.removeprefix("reminder:")
    if kind == "reminder" and answer in ANSWERS:
        return t(ANSWER_NOTE, answer=t(ANSWERS[answer]))
    return body


def new_nonce() -> str:
    """A fresh random token for one form: the desk does each submitted action once."""
    return secrets.token_urlsafe(16)


async def case_context(request: Request, actor: Actor, row: HandoffRequest) -> dict[str, Any]:
    """Everything the case page shows."""
    console = console_of(request)
    app, settings = console.app, console.app.settings
    t, now = translator(request, actor), app.conversations.clock()
    async with app.conversations.sessions() as session:
        reads = CaseReads(session)
        names = await reads.names()
        messages = await reads.history(row)
        mimes = await reads.mimes([m.media_id for m in messages if m.media_id])
        notes = await reads.notes(row.id)
        declarations = await reads.declarations(row.contact_id)
        contact = await reads.contact(row)
        accounts = Accounts(session)
        members = await accounts.active() if actor.sees_all else []
        if not actor.sees_all:
            members = await accounts.team_members(actor.team)
        teams = await accounts.teams()
        person_lang = contact.locale if contact is not None and contact.locale else "vi"
        canned = await canned_for(session, person_lang)
        visits = await agenda(session, t, settings.timezone, now, case_id=row.id)
    zone = settings.timezone
    facts = case_view(row, t, now, settings.console_wait_minutes * 60.0, names, settings.timezone)
    history = [message_view(m, t, names, settings.timezone, mimes) for m in messages]
    return {
        "case": facts,
        "reason": t(REASONS[row.reason]) if row.reason in REASONS else row.reason,
        "channel": contact.channel if contact is not None else "",
        "history": history,
        "last_id": max((m["id"] for m in history), default=0),
        "notes": [
            {"who": names.get(n.author_id or 0, "?"), "at": when(n.created_at, t, zone),
             "kind": n.kind, "body": note_body(n.kind, n.body, t)}
            for n in notes
        ],
        "declarations": [
            {"ref": d.ref, "at": when(d.created_at, t, zone),
             "pdfs": [(lang, f"/console/cases/{row.id}/declarations/{d.ref}.pdf?lang={lang}")
                      for lang in PDF_LANGS]}
            for d in declarations
        ],
        "members": [(m.id, f"{m.username} ({m.team})") for m in members if m.id != row.assignee_id],
        "teams": [(team.code, team.name) for team in teams if team.code != row.team],
        "outcomes": [(code, t(label)) for code, label in OUTCOMES.items()],
        "priorities": [(p, t(PRIORITY[p])) for p in PRIORITIES],
        "nonce": new_nonce,
        "canned": canned,
        "canned_heading": t("console.canned.title"),
        "canned_insert": t("console.canned.insert"),
        "mine": row.assignee_id == actor.id,
        "claimed": row.claimed_at is not None,
        "live": f"/console/live?case={row.id}",
        "visits": visits,
        "w": SCHEDULE_WORDS,
        "zone": zone,
    }  # fmt: skip


def refused_page(request: Request, actor: Actor) -> Response:
    """Unknown or not allowed: one answer for both."""
    return render(request, actor, "console/error.html", status=404, message="not_found")


async def case_page(
    request: Request, actor: Actor, row: HandoffRequest, *, status: int = 200,
    error: str = "", done: str = "", form: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """The case page, with what just happened or why an action was refused (form: kept values)."""
    context = await case_context(request, actor, row)
    title = context["case"]["title"]
    return render(
        request, actor, "console/case.html", status=status, error=error, done=done,
        title=title, form=form or {}, **context,
    )  # fmt: skip


def cases_router() -> APIRouter:
    """/console/cases/<id> and its declarations' PDFs."""
    router = APIRouter()

    @router.get("/console/cases/{case_id}", response_class=HTMLResponse)
    async def show(request: Request, case_id: int, actor: SignedIn, done: str = "") -> Response:
        """One case; every view is audited, and so is every refusal."""
        try:
            row = await open_case(request, actor, case_id, "case_view")
        except CaseRefused:
            return refused_page(request, actor)
        t = translator(request, actor)
        said = t(SCHEDULE_DONE[done]) if done in SCHEDULE_DONE else t("console.done")
        return await case_page(request, actor, row, done=said if done else "")

    @router.get("/console/cases/{case_id}/declarations/{ref}.pdf")
    async def declaration_pdf(
        request: Request, case_id: int, ref: str, actor: SignedIn, lang: str = "vi"
    ) -> Response:
        """A declaration of the case's person, as the PDF they received."""
        try:
            row = await open_case(request, actor, case_id, "declaration_pdf")
        except CaseRefused:
            return refused_page(request, actor)
        if not PATTERN.match(ref) or lang not in PDF_LANGS:
            return refused_page(request, actor)
        data = await console_of(request).app.conversations.declaration_pdf(
            row.contact_id, ref, lang
        )
        if data is None:
            return refused_page(request, actor)
        await audit(request, actor, "declaration_view", case_id, detail=ref)
        return Response(
            data, media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{ref}-{lang}.pdf"'},
        )  # fmt: skip

    return router
