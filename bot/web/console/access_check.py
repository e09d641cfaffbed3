"""Open a case for an account: found and allowed, or refused with 404 and audited."""

from __future__ import annotations

from fastapi import Request

from bot.services.access import Actor, can_see
from bot.web.console.state import console_of
from db.audit import Audit
from db.case_reads import CaseReads
from db.models import HandoffRequest


class CaseRefused(Exception):
    """Unknown, or another team's: the same answer (404) for both, so ids reveal nothing."""


async def audit(
    request: Request, actor: Actor, action: str, case_id: int | None, detail: str = ""
) -> None:
    """One audit row in its own transaction."""
    app = console_of(request).app
    async with app.conversations.sessions() as session, session.begin():
        Audit(session).record(
            actor.id, actor.username, action, app.conversations.clock(), case_id=case_id,
            detail=detail, address=actor.address,
        )  # fmt: skip


async def open_case(
    request: Request, actor: Actor, case_id: int, action: str | None
) -> HandoffRequest:
    """The case if the account may see it; each look (action) and every refusal is audited.

    action None: only a refusal is recorded (the desk records the changes it makes).
    """
    app = console_of(request).app
    async with app.conversations.sessions() as session, session.begin():
        found = await CaseReads(session).get(case_id)
        allowed = found is not None and can_see(actor, found)
        if not allowed or action is not None:
            Audit(session).record(
                actor.id, actor.username, action if allowed and action else "case_refused",
                app.conversations.clock(), case_id=case_id,
                detail="" if allowed else ("unknown" if found is None else action or "action"),
                address=actor.address,
            )  # fmt: skip
    if found is None or not allowed:
        raise CaseRefused()
    return found
