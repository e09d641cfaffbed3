"""/console/lookup: open a declaration from the code a person brings, only if they agreed to share.

The person chooses the office (any commune People's Committee, the police, ...: Law 53/2024
Art. 27), so any signed-in account may look a code up; the consent to share with the
authorities is the gate. Codes cannot be guessed through it: lookups are limited per account,
and each one (found, private, unknown) is audited with its outcome, never what was typed; a
caseworker opening a declaration from outside their team's communes is marked for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from limits import parse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.services.access import Actor
from bot.services.declaration_doc import rows_by_section
from bot.services.declaration_files import filename
from bot.services.figures import ZONE
from bot.services.refcode import PATTERN
from bot.web.console import NavItem, add_nav, render, require_actor
from bot.web.console.state import console_of
from bot.web.public import HEADERS
from db.audit import Audit
from db.models import CITY_TEAM, Declaration, HandoffRequest, TeamCommune
from db.repositories import Consents
from dialogs.i18n import N_

SHARE_PURPOSE = "share_authorities"
"""What the declaration's consent_share step records (dialogs/flows/self_declaration.yaml)."""
LOOKUP_LIMIT = "30/hour"
"""Enough for a desk that receives people all day; far too few to guess codes."""
MAX_CODE = 40
TEXTS = {
    "title": N_("console.lookup.title"), "intro": N_("console.lookup.intro"),
    "code": N_("console.lookup.code"), "code_hint": N_("console.lookup.code_hint"),
    "submit": N_("console.lookup.submit"), "found": N_("console.lookup.found"),
    "private": N_("console.lookup.private"), "unknown": N_("console.lookup.unknown"),
    "invalid": N_("console.lookup.invalid"), "limited": N_("console.lookup.limited"),
    "created": N_("console.lookup.created"), "case": N_("console.lookup.case"),
    "pdf": N_("console.lookup.pdf"), "pdf_lang": N_("console.lookup.pdf_lang"),
    "other_team": N_("console.lookup.other_team"), "nav": N_("console.nav.lookup"),
    "no_pdf": N_("console.lookup.no_pdf"),
}  # fmt: skip
PDF_LANGS = {"vi": "Tiếng Việt", "en": "English"}


class Outcome(StrEnum):
    """What a lookup found; the audit log records exactly this."""

    FOUND = "found"
    PRIVATE = "private"
    UNKNOWN = "unknown"
    INVALID = "invalid"
    LIMITED = "limited"


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    declaration: Declaration | None = None
    declaration_id: int | None = None
    case_id: int | None = None
    other_team: bool = False

    def detail(self) -> str:
        """For the audit log: the outcome and ids, nothing a person or caseworker wrote."""
        parts = [self.outcome.value]
        if self.declaration_id is not None:
            parts.append(f"declaration={self.declaration_id}")
        if self.other_team:
            parts.append("other_team")
        return " ".join(parts)


def normalise(code: str) -> str | None:
    """The code as printed (HP-7KQ4-2M), from what was typed: any case, spaces or dashes."""
    raw = re.sub(r"[\s\-‐‑–—.]", "", code[:MAX_CODE]).upper()
    if not (raw.isascii() and raw.isalnum() and 8 <= len(raw) <= 9):
        return None
    ref = f"{raw[:-6]}-{raw[-6:-2]}-{raw[-2:]}"
    return ref if PATTERN.match(ref) else None


async def find(session: AsyncSession, code: str, actor: Actor) -> Lookup:
    """The declaration for a code, opened only when its person consented to share it.

    A private one is not even decrypted: only its id, person and commune are read.
    """
    ref = normalise(code)
    if ref is None:
        return Lookup(Outcome.INVALID)
    row = (
        await session.execute(
            select(Declaration.id, Declaration.contact_id, Declaration.ward_code).where(
                Declaration.ref == ref
            )
        )
    ).first()
    if row is None:
        return Lookup(Outcome.UNKNOWN)
    declaration_id, contact_id, ward = row
    case_id = None
    shared = False
    if contact_id is not None:
        case_id = await session.scalar(
            select(HandoffRequest.id)
            .where(HandoffRequest.contact_id == contact_id)
            .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc())
            .limit(1)
        )
        shared = (await Consents(session).latest(contact_id)).get(SHARE_PURPOSE) is True
    if not shared:
        return Lookup(Outcome.PRIVATE, None, declaration_id, case_id)
    team = CITY_TEAM
    if ward:
        team = await session.scalar(
            select(TeamCommune.team_code).where(TeamCommune.ward_code == ward)
        ) or CITY_TEAM  # fmt: skip
    declaration = await session.get(Declaration, declaration_id)
    other = not actor.sees_all and team != actor.team
    return Lookup(Outcome.FOUND, declaration, declaration_id, case_id, other)


def router(app: App) -> APIRouter:
    """The lookup form, its answer, and the declaration's PDF (POST: the code stays out of URLs)."""
    routes = APIRouter()
    add_nav(NavItem(TEXTS["nav"], "/console/lookup"))
    signed_in = Depends(require_actor())

    async def look_up(request: Request, actor: Actor, code: str, action: str) -> Lookup:
        limiter = console_of(request).limiter
        if not await limiter.hit(parse(LOOKUP_LIMIT), "lookup", str(actor.id)):
            result = Lookup(Outcome.LIMITED)
        else:
            async with app.conversations.sessions() as session:
                result = await find(session, code, actor)
        async with app.conversations.sessions() as session, session.begin():
            Audit(session).record(
                actor.id, actor.username, action, app.conversations.clock(),
                case_id=result.case_id, detail=result.detail(), address=actor.address,
            )  # fmt: skip
        return result

    def page(request: Request, actor: Actor, result: Lookup | None, code: str = "") -> Response:
        status = {None: 200, Outcome.FOUND: 200, Outcome.LIMITED: 429}.get(
            result.outcome if result else None, 200
        )
        return render(
            request, actor, "console/lookup.html", status=status, w=TEXTS, result=result,
            code=code[:MAX_CODE], view=_view(app, actor, result), pdf_langs=PDF_LANGS,
        )  # fmt: skip

    @routes.get("/console/lookup", response_class=HTMLResponse)
    async def lookup_form(request: Request, actor: Actor = signed_in) -> Response:
        """The form: a declaration's code."""
        return page(request, actor, None)

    @routes.post("/console/lookup", response_class=HTMLResponse)
    async def lookup(request: Request, code: str = Form(""), actor: Actor = signed_in) -> Response:
        """The declaration read-only, or why it cannot be shown; audited either way."""
        result = await look_up(request, actor, code, "lookup")
        return page(request, actor, result, code)

    @routes.post("/console/lookup/pdf", response_model=None)
    async def lookup_pdf(
        request: Request, code: str = Form(""), lang: str = Form("vi"), actor: Actor = signed_in
    ) -> Response:
        """The declaration's PDF, under the same consent and the same audit as the page."""
        result = await look_up(request, actor, code, "lookup.pdf")
        found = result.declaration
        if result.outcome is not Outcome.FOUND or found is None:
            return page(request, actor, result, code)
        language = lang if lang in PDF_LANGS else "vi"
        data = await app.conversations.declaration_pdf(found.contact_id, found.ref, language)
        if data is None:
            return page(request, actor, result, code)
        name = filename(found.ref, language)
        headers = HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(data, media_type="application/pdf", headers=headers)

    return routes


def _view(app: App, actor: Actor, result: Lookup | None) -> dict[str, Any] | None:
    """The found declaration as sections of (question, answer), in the account's language."""
    if result is None or result.declaration is None:
        return None
    found = result.declaration
    t = app.content.catalogs.translator(actor.locale)
    local = found.created_at.astimezone(ZONE)
    answers = dict(found.answers)
    sections = rows_by_section(app.content.declaration, answers, {"today": local.date()}, t)
    return {
        "ref": found.ref,
        "created": format_date(local.date(), "medium", locale=t.lang),
        "sections": sections,
        "pdf": found.contact_id is not None,
    }
