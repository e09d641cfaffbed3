"""The case actions: each form posts here and goes through the lead's CaseDesk (app.desk).

The desk writes the audit row and publishes the change; this only checks the form, maps
the desk's refusals to what the caseworker reads, and sends the browser back to the case.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.services.access import Actor, NotAllowed
from bot.services.case_desk import MAX_NOTE, MAX_REPLY
from bot.web.console.access_check import CaseRefused, audit, open_case
from bot.web.console.auth import SignedIn
from bot.web.console.cases import case_page, refused_page
from bot.web.console.render import translator
from bot.web.console.state import console_of
from bot.web.console.texts import OUTCOMES, REFUSALS
from db.models import PRIORITIES

NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ACTIONS = ("claim", "assign", "transfer", "reply", "close", "reopen", "note", "priority")


class BadForm(ValueError):
    """A form the console refuses before the desk sees it; the message id says why."""


def _int(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _text(form: dict[str, Any], name: str, limit: int, required: bool = True) -> str:
    value = str(form.get(name, "")).replace("\r\n", "\n").strip()
    if required and not value:
        raise BadForm("console.empty_reply")
    if len(value) > limit:
        raise BadForm("console.too_long")
    return value


async def _call(desk: Any, actor: Actor, case_id: int, action: str, form: dict[str, Any]) -> None:
    """One desk call, from the form's fields."""
    nonce = str(form.get("nonce", ""))
    needs_nonce = action not in ("note", "priority")
    if needs_nonce and not NONCE.match(nonce):
        raise BadForm("console.refused")
    if action == "claim":
        await desk.claim(actor, case_id, nonce)
    elif action == "assign":
        assignee = _int(form.get("assignee"))
        if assignee is None:
            raise BadForm("console.refused")
        await desk.assign(actor, case_id, assignee, nonce)
    elif action == "transfer":
        to_team = str(form.get("to_team", "")).strip() or None
        to_caseworker = _int(form.get("to_caseworker"))
        if to_team is None and to_caseworker is None:
            raise BadForm("console.refused")
        note = _text(form, "note", MAX_NOTE, required=False)
        await desk.transfer(
            actor, case_id, to_team=to_team, to_caseworker=to_caseworker, note=note, nonce=nonce
        )
    elif action == "reply":
        await desk.reply(actor, case_id, _text(form, "body", MAX_REPLY), nonce)
    elif action == "close":
        outcome = str(form.get("outcome", ""))
        if outcome not in OUTCOMES:
            raise BadForm("console.refused")
        await desk.close(actor, case_id, outcome, nonce)
    elif action == "reopen":
        await desk.reopen(actor, case_id, nonce)
    elif action == "note":
        await desk.add_note(actor, case_id, _text(form, "body", MAX_NOTE))
    elif action == "priority":
        priority = str(form.get("priority", ""))
        if priority not in PRIORITIES:
            raise BadForm("console.refused")
        await desk.set_priority(actor, case_id, priority)


def actions_router() -> APIRouter:
    """POST /console/cases/<id>/<action>."""
    router = APIRouter()

    @router.post("/console/cases/{case_id}/{action}")
    async def act(request: Request, case_id: int, action: str, actor: SignedIn) -> Response:
        """Do one action; back to the case page (its own answer when refused)."""
        if action not in ACTIONS:
            return refused_page(request, actor)
        try:
            row = await open_case(request, actor, case_id, None)
        except CaseRefused:
            return refused_page(request, actor)
        t = translator(request, actor)
        form = dict((await request.form()).items())
        desk = getattr(console_of(request).app, "desk", None)
        try:
            if desk is None:
                raise ValueError("console.error.unavailable")
            await _call(desk, actor, case_id, action, form)
        except BadForm as bad:
            message = t(str(bad), max=MAX_REPLY, reason="")
            return await case_page(request, actor, row, status=400, error=message)
        except NotAllowed:
            await audit(request, actor, "case_refused", case_id, detail=action)
            return refused_page(request, actor)
        except LookupError:
            return refused_page(request, actor)
        except ValueError as refused:
            reason = REFUSALS.get(str(refused), "console.error.unavailable")
            message = t("console.refused", reason=t(reason))
            return await case_page(request, actor, row, status=409, error=message)
        return RedirectResponse(f"/console/cases/{case_id}?done={action}#top", status_code=303)

    return router
