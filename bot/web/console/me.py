"""/console/me: an account's own reminder settings: Telegram link, on call, lead times.

The Telegram link is a one-time code (db.caseworker_links.new_link_code) the caseworker
sends to the bot as "/link CODE": the console never asks for a chat id, so nobody can
point alerts at someone else's Telegram. The code is shown once, on the answer to the
button, and only its hash is kept. Supervisors also set after how many minutes an
unclaimed urgent case escalates. Every change is audited, with values, never the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor
from bot.web.console.auth import SignedIn, Supervisor
from bot.web.console.render import NavItem, add_nav, render, translator
from bot.web.console.state import console_of
from bot.web.console.views import when
from db import caseworker_links as links
from db.accounts import Accounts
from db.audit import Audit
from dialogs.i18n import N_

LEADS = ((10080, N_("console.me.lead.week")), (1440, N_("console.me.lead.day")),
         (180, N_("console.me.lead.3h")), (60, N_("console.me.lead.1h")))  # fmt: skip
"""The lead times a caseworker may choose (minutes before an appointment)."""
Call = Callable[[AsyncSession, datetime], Any]
ESCALATION_RANGE = (1, 24 * 60)
CODE_MINUTES = 10
M = {
    "nav": N_("console.me.nav"), "title": N_("console.me.title"),
    "telegram": N_("console.me.telegram"), "linked": N_("console.me.linked"),
    "not_linked": N_("console.me.not_linked"), "link": N_("console.me.link"),
    "relink": N_("console.me.relink"), "unlink": N_("console.me.unlink"),
    "code_intro": N_("console.me.code_intro"), "send_code": N_("console.me.send_code"),
    "valid_until": N_("console.me.valid_until"), "on_call": N_("console.me.on_call"),
    "on_call_hint": N_("console.me.on_call_hint"), "on_call_on": N_("console.me.on_call_on"),
    "on_call_off": N_("console.me.on_call_off"), "leads": N_("console.me.leads"),
    "leads_hint": N_("console.me.leads_hint"), "save": N_("console.me.save"),
    "escalation": N_("console.me.escalation"),
    "escalation_hint": N_("console.me.escalation_hint"),
    "escalation_minutes": N_("console.me.escalation_minutes"),
    "needs_link": N_("console.me.needs_link"), "state_on": N_("console.me.state_on"),
    "state_off": N_("console.me.state_off"),
}  # fmt: skip
DONE = {
    "unlinked": N_("console.me.done.unlinked"), "on_call": N_("console.me.done.on_call"),
    "leads": N_("console.me.done.leads"), "escalation": N_("console.me.done.escalation"),
}  # fmt: skip
ERRORS = (N_("console.me.error.leads"), N_("console.me.error.escalation"))


class Refused(ValueError):
    """A setting the page refuses; the message id says why."""


def lead_choice(values: list[str]) -> list[int]:
    """The checked lead times, largest first; only the offered ones, at least one."""
    offered = {minutes for minutes, _label in LEADS}
    chosen = sorted({int(v) for v in values if v.isdigit() and int(v) in offered}, reverse=True)
    if not chosen or len(chosen) != len(set(values)):
        raise Refused("console.me.error.leads")
    return chosen


def escalation_choice(raw: str) -> int:
    """Whole minutes within ESCALATION_RANGE."""
    text = raw.strip()
    low, high = ESCALATION_RANGE
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise Refused("console.me.error.escalation")
    return int(text)


async def me_page(request: Request, actor: Actor, *, status: int = 200, error: str = "",
                  code: str = "") -> Response:  # fmt: skip
    """The page; `code` only on the answer that made it (it is never stored in clear)."""
    app = console_of(request).app
    t, now, zone = translator(request, actor), app.conversations.clock(), app.settings.timezone
    escalation: int | None = None
    async with app.conversations.sessions() as session:
        account = await Accounts(session).get(actor.id)
        if actor.sees_all:
            try:
                escalation = await links.escalation_minutes(session)
            except Refused:
                escalation = None
    assert account is not None
    chosen = {int(m) for m in (account.lead_minutes or "").split(",") if m.strip().isdigit()}
    until = account.link_code_until if code else None
    done = request.query_params.get("done", "")
    return render(
        request, actor, "console/me.html", status=status, m=M, code=code,
        until=when(until or now + timedelta(minutes=CODE_MINUTES), t, zone) if code else "",
        linked=account.telegram_key is not None, on_call=account.on_call,
        leads=[(minutes, t(label), minutes in chosen) for minutes, label in LEADS],
        escalation=escalation, escalation_range=ESCALATION_RANGE,
        error=t(error) if error else "", done=t(DONE[done]) if done in DONE else "",
    )  # fmt: skip


def me_router() -> APIRouter:
    """GET /console/me and its forms (POST /console/me/<setting>)."""
    router = APIRouter()
    add_nav(NavItem(M["nav"], "/console/me"))

    async def change(request: Request, actor: Actor, action: str, detail: str, call: Call) -> Any:
        """One setting written and audited in one transaction (the call may be sync or async)."""
        app = console_of(request).app
        now = app.conversations.clock()
        async with app.conversations.sessions() as session, session.begin():
            try:
                result = call(session, now)
                if inspect.isawaitable(result):
                    result = await result
            except ValueError as refused:  # the accounts' own checks (ours are stricter)
                wanted = "escalation" if "escalation" in str(refused) else "leads"
                raise Refused(f"console.me.error.{wanted}") from None
            Audit(session).record(actor.id, actor.username, action, now, detail=detail,
                                  address=actor.address)  # fmt: skip
        return result

    def done(what: str) -> Response:
        return RedirectResponse(f"/console/me?done={what}", status_code=303)

    @router.get("/console/me", response_class=HTMLResponse)
    async def show(request: Request, actor: SignedIn) -> Response:
        """The account's reminder settings."""
        return await me_page(request, actor)

    @router.post("/console/me/link", response_class=HTMLResponse)
    async def link(request: Request, actor: SignedIn) -> Response:
        """A new one-time code (an older one stops working), shown on this answer only."""
        try:
            code = await change(request, actor, "telegram.code", "",
                                lambda s, now: links.new_link_code(s, actor.id, now))  # fmt: skip
        except Refused as refused:
            return await me_page(request, actor, status=503, error=str(refused))
        return await me_page(request, actor, code=str(code))

    @router.post("/console/me/unlink", response_class=HTMLResponse)
    async def unlink(request: Request, actor: SignedIn) -> Response:
        """Forget the linked Telegram chat: no more reminders or alerts there."""
        try:
            await change(request, actor, "telegram.unlink", "",
                         lambda s, now: links.unlink(s, actor.id))  # fmt: skip
        except Refused as refused:
            return await me_page(request, actor, status=503, error=str(refused))
        return done("unlinked")

    @router.post("/console/me/on-call", response_class=HTMLResponse)
    async def on_call(request: Request, actor: SignedIn, on: str = Form("")) -> Response:
        """On call: alerted on Telegram when an urgent case of the team arrives."""
        value = on == "1"
        try:
            await change(request, actor, "on_call.set", f"on={int(value)}",
                         lambda s, now: links.set_on_call(s, actor.id, value))  # fmt: skip
        except Refused as refused:
            return await me_page(request, actor, status=503, error=str(refused))
        return done("on_call")

    @router.post("/console/me/leads", response_class=HTMLResponse)
    async def leads(request: Request, actor: SignedIn) -> Response:
        """When to be reminded before each appointment."""
        values = [str(v) for v in (await request.form()).getlist("lead")]
        try:
            chosen = lead_choice(values)
            detail = "minutes=" + ",".join(map(str, chosen))
            await change(request, actor, "lead_minutes.set", detail,
                         lambda s, now: links.set_lead_minutes(s, actor.id, chosen))  # fmt: skip
        except Refused as refused:
            return await me_page(request, actor, status=400, error=str(refused))
        return done("leads")

    @router.post("/console/me/escalation", response_class=HTMLResponse)
    async def escalation(request: Request, actor: Supervisor, minutes: str = Form("")) -> Response:
        """Supervisors: after how many minutes an unclaimed urgent case escalates."""
        try:
            value = escalation_choice(minutes)
            await change(
                request, actor, "escalation.set", f"minutes={value}",
                lambda s, now: links.set_escalation_minutes(s, value, actor.id, now),
            )  # fmt: skip
        except Refused as refused:
            return await me_page(request, actor, status=400, error=str(refused))
        return done("escalation")

    return router
