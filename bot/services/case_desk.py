"""The caseworkers' actions on a case, each through the person's unit of work, once, audited."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.services.access import Actor, NotAllowed, can_see
from bot.services.bus import CASE, MESSAGE_OUT, Change
from bot.services.conversation import ConversationService
from bot.services.reminders.schedule import follow_case
from bot.services.unit import Unit
from db.audit import Audit
from db.models import (
    CASE_ACTIVE,
    CASE_CLOSED,
    CASE_OPEN,
    CASE_WAITING,
    CASE_WAITING_PERSON,
    HANDOFF_ERASED,
    PRIORITIES,
    CaseNote,
    Caseworker,
    Contact,
    HandoffRequest,
    Message,
    Team,
)
from dialogs.events import Inbound, Kind
from dialogs.text import clean

OUTCOMES = ("resolved", "referred", "no_response", "declined", "duplicate", "other")
"""Why a case was closed, for the record and the figures (never free text)."""
MAX_REPLY = 3500
"""Under Telegram's 4,096 characters, with room for the "Cán bộ:" prefix."""
MAX_NOTE = 4000
CODE_DIGITS = 4


def new_code() -> str:
    """A short code both sides see when a caseworker joins, so the person can check it."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@dataclass(frozen=True)
class _Target:
    """The case's person, read before the unit of work locks them."""

    contact_id: int
    channel: str
    chat: str


class CaseDesk:
    """claim, assign, transfer, reply, close, reopen, note, priority: the console's verbs."""

    def __init__(self, conversations: ConversationService) -> None:
        self.conversations = conversations
        self.sessions = conversations.sessions

    @property
    def _now(self) -> Callable[[], datetime]:
        return self.conversations.clock

    async def claim(self, actor: Actor, case_id: int, nonce: str) -> None:
        """Join the case: it becomes the actor's, and both sides see the same new code."""
        code = new_code()

        async def effect(unit: Unit, case: HandoffRequest) -> None:
            if case.assignee_id not in (None, actor.id) and not actor.sees_all:
                raise ValueError("console.error.claimed_by_other")
            if case.assignee_id == actor.id and case.claimed_at is not None:
                raise ValueError("console.error.already_yours")
            case.assignee_id, case.status, case.claimed_at = actor.id, CASE_ACTIVE, unit.now
            case.verify_code = code

        await self._person_event(
            actor, case_id, nonce, "claim", "case:joined", effect, data={"code": code}
        )

    async def assign(self, actor: Actor, case_id: int, assignee_id: int, nonce: str) -> None:
        """A supervisor gives the case to a caseworker, who then joins it (claim)."""
        if not actor.sees_all:
            raise NotAllowed("only supervisors assign")
        await self.transfer(
            actor,
            case_id,
            to_team=None,
            to_caseworker=assignee_id,
            note="",
            nonce=nonce,
            action="assign",
        )

    async def transfer(
        self,
        actor: Actor,
        case_id: int,
        *,
        to_team: str | None,
        to_caseworker: int | None,
        note: str,
        nonce: str,
        action: str = "transfer",
    ) -> None:
        """Hand the case on, with its history and declarations, and a note for the next one."""
        note = clean(note)[:MAX_NOTE]
        if to_team is None and to_caseworker is None:
            raise ValueError("console.error.transfer_to_whom")

        async def effect(unit: Unit, case: HandoffRequest) -> None:
            session = unit.session
            if to_caseworker is not None:
                worker = await session.get(Caseworker, to_caseworker)
                if worker is None or not worker.active:
                    raise ValueError("console.error.no_such_caseworker")
                case.team = to_team or worker.team
            elif to_team is not None:
                if await session.get(Team, to_team) is None:
                    raise ValueError("console.error.no_such_team")
                case.team = to_team
            case.assignee_id, case.claimed_at, case.verify_code = to_caseworker, None, None
            case.status = CASE_WAITING
            await follow_case(session, case)
            if note:
                session.add(
                    CaseNote(
                        case_id=case.id,
                        author_id=actor.id,
                        kind="transfer",
                        body=note,
                        created_at=unit.now,
                    )
                )

        detail = f"team={to_team or ''} to={to_caseworker or ''}"
        await self._person_event(
            actor, case_id, nonce, action, "case:transferred", effect, detail=detail
        )

    async def reply(self, actor: Actor, case_id: int, body: str, nonce: str) -> None:
        """Send the caseworker's words to the person, through the outbox of their channel."""
        body = clean(body)
        if not body:
            raise ValueError("console.error.empty_reply")
        if len(body) > MAX_REPLY:
            raise ValueError("console.error.reply_too_long")

        async def effect(unit: Unit, case: HandoffRequest) -> None:
            if case.assignee_id != actor.id or case.claimed_at is None:
                raise ValueError("console.error.claim_first")
            message = Message(
                contact_id=unit.contact.id,
                direction="out",
                body=body,
                created_at=unit.now,
                case_id=case.id,
                kind="text",
                author_id=actor.id,
                delivery="queued",
            )
            unit.session.add(message)
            unit.reply_message = message
            case.first_response_at = case.first_response_at or unit.now
            case.status = CASE_WAITING_PERSON
            unit.changed(MESSAGE_OUT, case)

        await self._person_event(actor, case_id, nonce, "reply", "case:reply", effect, text=body)

    async def close(self, actor: Actor, case_id: int, outcome: str, nonce: str) -> None:
        """End the case with an outcome; the person is told and gets the menu back."""
        if outcome not in OUTCOMES:
            raise ValueError("console.error.bad_outcome")

        async def effect(unit: Unit, case: HandoffRequest) -> None:
            case.status, case.outcome, case.closed_at = CASE_CLOSED, outcome, unit.now

        await self._person_event(
            actor,
            case_id,
            nonce,
            "close",
            "case:closed",
            effect,
            data={"outcome": outcome},
            detail=outcome,
        )

    async def reopen(self, actor: Actor, case_id: int, nonce: str) -> None:
        """Open a closed case again, in the queue of its team (its history goes along)."""

        async def effect(unit: Unit, case: HandoffRequest) -> None:
            if unit.case is not None and unit.case.id != case.id:
                raise ValueError("console.error.person_has_open_case")
            case.status, case.outcome, case.closed_at = CASE_WAITING, None, None
            case.assignee_id, case.claimed_at, case.verify_code = actor.id, None, None

        await self._person_event(
            actor, case_id, nonce, "reopen", "case:reopened", effect, open_only=False
        )

    async def add_note(self, actor: Actor, case_id: int, body: str) -> None:
        """An internal note: the person never sees it, the next caseworker does."""
        body = clean(body)[:MAX_NOTE]
        if not body:
            raise ValueError("console.error.empty_note")
        await self._check(actor, case_id, "note")
        now = self._now()
        async with self.sessions() as session, session.begin():
            case = await self._case(session, actor, case_id)
            session.add(
                CaseNote(
                    case_id=case.id, author_id=actor.id, kind="note", body=body, created_at=now
                )
            )
            Audit(session).record(
                actor.id, actor.username, "case.note", now, case_id=case.id, address=actor.address
            )
            change = Change(CASE, case.id, case.contact_id, case.team)
        await self.conversations.publish([change])

    async def set_priority(self, actor: Actor, case_id: int, priority: str) -> None:
        """Move a case up or down the queue."""
        if priority not in PRIORITIES:
            raise ValueError("console.error.bad_priority")
        await self._check(actor, case_id, "priority")
        now = self._now()
        async with self.sessions() as session, session.begin():
            case = await self._case(session, actor, case_id)
            case.priority, case.updated_at = priority, now
            Audit(session).record(
                actor.id,
                actor.username,
                "case.priority",
                now,
                case_id=case.id,
                detail=priority,
                address=actor.address,
            )
            change = Change(CASE, case.id, case.contact_id, case.team)
        await self.conversations.publish([change])

    @staticmethod
    async def _case(session: Any, actor: Actor, case_id: int) -> HandoffRequest:
        """The case, locked; checked again, since it may have moved to another team meanwhile."""
        case: HandoffRequest | None = await session.scalar(
            select(HandoffRequest)
            .where(HandoffRequest.id == case_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if case is None:
            raise LookupError(case_id)
        if not can_see(actor, case):
            raise NotAllowed(case_id)
        return case

    async def _check(self, actor: Actor, case_id: int, action: str) -> HandoffRequest:
        """Read the case before acting; another team's is refused, and the refusal audited.

        The audit row has its own transaction, before any lock is taken (SQLite has one
        writer: a second transaction inside the first would wait for ever).
        """
        async with self.sessions() as session:
            case = await session.get(HandoffRequest, case_id)
        if case is None:
            raise LookupError(case_id)
        if not can_see(actor, case):
            await self._refused(actor, case_id, action, self._now())
            raise NotAllowed(case_id)
        return case

    async def _refused(self, actor: Actor, case_id: int, action: str, now: datetime) -> None:
        """Record a refused attempt in its own transaction: the action's is rolled back."""
        async with self.sessions() as session, session.begin():
            Audit(session).record(
                actor.id,
                actor.username,
                "refused",
                now,
                case_id=case_id,
                detail=action,
                address=actor.address,
            )

    async def _target(self, actor: Actor, case_id: int, action: str) -> _Target:
        """Read who the case is about (no lock yet); check access first."""
        case = await self._check(actor, case_id, action)
        if case.contact_id is None or case.status == HANDOFF_ERASED:
            raise ValueError("console.error.person_erased")
        async with self.sessions() as session:
            contact = await session.get(Contact, case.contact_id)
            if contact is None:
                raise ValueError("console.error.person_erased")
            return _Target(contact.id, contact.channel, contact.chat_id)

    async def _person_event(
        self,
        actor: Actor,
        case_id: int,
        nonce: str,
        action: str,
        payload: str,
        change_case: Callable[[Unit, HandoffRequest], Awaitable[None]],
        *,
        text: str = "",
        data: dict[str, Any] | None = None,
        detail: str = "",
        open_only: bool = True,
    ) -> None:
        """Apply a person-visible action as a system event in the person's unit of work."""
        if not nonce or len(nonce) > 64:
            raise ValueError("console.error.stale_form")
        target = await self._target(actor, case_id, action)

        async def effect(unit: Unit) -> None:
            case = await self._case(unit.session, actor, case_id)
            if case.contact_id != unit.contact.id:
                raise ValueError("console.error.person_erased")
            if open_only and case.status not in CASE_OPEN:
                raise ValueError("console.error.case_closed")
            if not open_only and case.status != CASE_CLOSED:
                raise ValueError("console.error.case_not_closed")
            await change_case(unit, case)
            case.updated_at = unit.now
            Audit(unit.session).record(
                actor.id,
                actor.username,
                f"case.{action}",
                unit.now,
                case_id=case.id,
                detail=detail,
                address=actor.address,
            )
            unit.changed(CASE, case)
            unit.case = case if case.status in CASE_OPEN else None

        event = Inbound(
            channel=target.channel,
            chat=target.chat,
            user="",
            kind=Kind.SYSTEM,
            payload=payload,
            text=text,
            data=dict(data or {}),
            external_id=f"console:{nonce}",
        )
        await self.conversations.handle(
            event, outbox=True, effect=effect, contact_id=target.contact_id
        )
