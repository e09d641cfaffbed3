"""Live updates: server-sent events fed by the app's change bus.

A Change carries ids only. For each one the stream reads the rows again with the reader's
own rights (bot.services.access.can_see) and sends small HTML fragments rendered by the
same templates as the page, escaped the same way; static/console.js inserts them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sse_starlette import EventSourceResponse

from bot.services.access import Actor, can_see
from bot.services.bus import Change
from bot.web.console.access_check import CaseRefused, open_case
from bot.web.console.agenda import agenda
from bot.web.console.auth import SignedIn
from bot.web.console.csrf import FIELD, csrf_token
from bot.web.console.inbox import viewer
from bot.web.console.render import translator
from bot.web.console.schedule_texts import W as SCHEDULE_WORDS
from bot.web.console.state import Console, console_of, templates
from bot.web.console.texts import TEXTS
from bot.web.console.views import case_view, message_view
from db.accounts import Accounts
from db.case_reads import VIEWS, CaseReads
from db.models import HandoffRequest

PING_SECONDS = 15
RECHECK_SECONDS = 60.0
"""How often a long-lived stream checks that the account is still active and unchanged."""


def _event(name: str, **data: Any) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}


async def _still_valid(console: Console, actor: Actor) -> bool:
    async with console.app.conversations.sessions() as session:
        account = await Accounts(session).get(actor.id)
    return (
        account is not None and account.active and account.role == actor.role
        and account.team == actor.team
    )  # fmt: skip


class Stream:
    """One browser's stream: what it watches and what it has been sent."""

    def __init__(self, request: Request, actor: Actor, view: str, case_id: int | None, after: int):
        self.console, self.actor = console_of(request), actor
        self.view, self.case_id, self.after = view, case_id, after
        t = translator(request, actor)
        self.t, self.text = t, {k: t(v) for k, v in TEXTS.items()}
        self.csrf = csrf_token(request)
        self.settings = self.console.app.settings

    def _facts(self, row: HandoffRequest, names: dict[int, str]) -> dict[str, Any]:
        late = self.settings.console_wait_minutes * 60.0
        now = self.console.app.conversations.clock()
        return case_view(row, self.t, now, late, names, self.settings.timezone)

    async def for_case(self, row_id: int) -> list[dict[str, str]]:
        """New messages of the watched case, and its facts when they changed."""
        async with self.console.app.reads() as session:
            reads = CaseReads(session)
            row = await reads.get(row_id)
            if row is None or not can_see(self.actor, row):
                return [_event("gone")]
            names = await reads.names()
            messages = await reads.history(row, after=self.after)
            mimes = await reads.mimes([m.media_id for m in messages if m.media_id])
            now, zone = self.console.app.conversations.clock(), self.settings.timezone
            visits = await agenda(session, self.t, zone, now, case_id=row.id)
        out = []
        for message in messages:
            view = message_view(message, self.t, names, self.settings.timezone, mimes)
            html = templates.get_template("console/_message.html").render(m=view, text=self.text)
            out.append(_event("message", id=message.id, html=html))
            self.after = max(self.after, message.id)
        facts = self._facts(row, names)
        html = templates.get_template("console/_facts.html").render(
            case=facts, text=self.text, channel=""
        )
        out.append(_event("facts", html=html))
        html = templates.get_template("console/_case_appointments.html").render(
            visits=visits, t=self.t, w=SCHEDULE_WORDS, csrf_field=FIELD, csrf_token=self.csrf
        )  # a person's answer to a reminder shows at once
        out.append(_event("appointments", html=html))
        return out

    async def for_inbox(self, change: Change) -> list[dict[str, str]]:
        """The changed case's row, or its removal when it left this view or these eyes."""
        row, names = await asyncio.shield(snapshot(self.console, change))
        shown = (
            row is not None and can_see(self.actor, row)
            and CaseReads.in_view(row, self.view, viewer(self.actor))
        )  # fmt: skip
        if not shown or row is None:
            return [_event("remove", id=change.case_id)]
        html = templates.get_template("console/_case_row.html").render(
            c=self._facts(row, names), text=self.text
        )
        return [_event("case", id=change.case_id, html=html, priority=row.priority)]

    async def events(self) -> AsyncIterator[dict[str, str]]:
        """Everything this reader may see, as it happens; ends when the account changes."""
        checked = time.monotonic()
        async with self.console.app.bus.subscribe() as changes:
            yield _event("ready")
            if self.case_id is not None:  # what came between the page and this stream
                for event in await self.for_case(self.case_id):
                    yield event
            async for change in changes:
                if time.monotonic() - checked > RECHECK_SECONDS:
                    if not await _still_valid(self.console, self.actor):
                        yield _event("gone")
                        return
                    checked = time.monotonic()
                if change.case_id is None:
                    continue
                if self.case_id is not None:
                    if change.case_id == self.case_id:
                        for event in await self.for_case(self.case_id):
                            yield event
                else:
                    for event in await self.for_inbox(change):
                        yield event


SNAPSHOT_SECONDS = 10.0
"""How long a change's shared read is kept: longer than any stream takes to reach it."""


def snapshot(
    console: Console, change: Change
) -> asyncio.Future[tuple[HandoffRequest | None, dict[int, str]]]:
    """One read of a changed case for all the live inboxes of this process.

    Fifty caseworkers watching their inboxes would otherwise read the same row fifty times
    for each message a person sends. The bus hands every stream the same Change object.
    """
    key = id(change)
    found = console.snapshots.get(key)
    if found is not None and found[0] is change:
        return found[1]

    async def load() -> tuple[HandoffRequest | None, dict[int, str]]:
        async with console.app.reads() as session:
            reads = CaseReads(session)
            return await reads.get(change.case_id or 0), await reads.names()

    task = asyncio.ensure_future(load())
    console.snapshots[key] = (change, task)
    asyncio.get_running_loop().call_later(SNAPSHOT_SECONDS, console.snapshots.pop, key, None)
    return task


def live_router() -> APIRouter:
    """GET /console/live?view=<view> or ?case=<id>&after=<message id>."""
    router = APIRouter()

    @router.get("/console/live")
    async def live(
        request: Request, actor: SignedIn, view: str = "team", case: int | None = None,
        after: int = 0,
    ) -> Response:  # fmt: skip
        """A stream of fragments for the inbox or one case (refused, audited, for others')."""
        if case is not None:
            try:
                await open_case(request, actor, case, None)
            except CaseRefused:
                return Response("not found", status_code=404, media_type="text/plain")
        if view not in VIEWS or (view == "all" and not actor.sees_all):
            view = "team"
        stream = Stream(request, actor, view, case, max(after, 0))
        return EventSourceResponse(stream.events(), ping=PING_SECONDS)

    return router
