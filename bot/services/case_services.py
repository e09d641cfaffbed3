"""The engine's CaseServices, carried out on the database inside one unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import EllipsisType
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import person_reminders
from bot.services.declaration_files import DeclarationFiles
from bot.services.figures import coarse_columns
from bot.services.hours import ServiceHours
from bot.services.refcode import new_ref
from bot.services.reminders import alerts
from db.models import (
    CASE_CLOSED,
    CASE_WAITING,
    CITY_TEAM,
    PRIORITIES,
    Contact,
    Declaration,
    HandoffRequest,
    TeamCommune,
)
from db.outbox import Outbox
from db.repositories import Consents, Contacts, Declarations, Handoffs, erase_contact
from dialogs.ports import EraseOutcome, Queued, ReminderPrefs

REF_ATTEMPTS = 8
LEFT_BY_PERSON = "left_by_person"
"""The outcome of a case the person left from the chat ("menu", then yes)."""
_queue_rank = case(
    {p: n for n, p in enumerate(PRIORITIES)}, value=HandoffRequest.priority, else_=99
)
"""Queue order as a number: urgent 0, high 1, normal 2."""


class DbCaseServices:
    """Bound to one person, one session and one moment."""

    def __init__(
        self,
        session: AsyncSession,
        contact: Contact,
        now: datetime,
        province: str,
        files: DeclarationFiles,
        hours: ServiceHours | None = None,
    ) -> None:
        self.session, self.contact, self.contact_id = session, contact, contact.id
        self.now, self.province, self.files = now, province, files
        self.hours = hours or ServiceHours.parse()
        self.cases: set[int] = set()
        """Cases this event opened, changed or closed: the caller publishes them after commit."""

    async def record_consent(self, purpose: str, granted: bool) -> None:
        """Each purpose separately, with the time, so withdrawal can be honoured at once."""
        await Consents(self.session).record(self.contact_id, purpose, granted, self.now)
        await person_reminders.consent_recorded(
            self.session, self.contact_id, purpose, granted, self.now
        )

    async def submit_declaration(self, flow_id: str, answers: Mapping[str, Any]) -> str:
        """Store the answers under a new reference code that no other declaration has."""
        repo = Declarations(self.session)
        coarse = coarse_columns(answers, self.now)
        for _ in range(REF_ATTEMPTS):
            ref = new_ref(self.province)
            if not await repo.ref_exists(ref):
                await repo.add(
                    self.contact_id, ref, flow_id, dict(answers), self.province, self.now,
                    **coarse,
                )  # fmt: skip
                await person_reminders.declared_safe_hours(
                    self.session, self.contact_id, answers, self.now
                )
                return ref
        raise RuntimeError("could not find a free reference code")

    async def request_handoff(
        self, *, urgent: bool, reason: str, note: str = "", commune: str | None = None
    ) -> Queued:
        """Queue for a caseworker of the person's commune's team; say where they stand.

        A second request while one is open raises its urgency and adds to its note; with
        none open (never, or closed since), a new case opens.
        """
        handoffs = Handoffs(self.session)
        before = await handoffs.open_for(self.contact_id)
        was_urgent = before is not None and before.urgent
        request = await handoffs.open(self.contact_id, urgent, reason, self.now, note)
        if before is None:
            request.team = await self._team(commune)
        if request.urgent and not was_urgent:
            await self._alert(request)
        request.updated_at = self.now
        self.cases.add(request.id)
        position = await self._position(request) if request.status == CASE_WAITING else 0
        hours = self.hours
        in_hours = hours.is_open(self.now)
        return Queued(
            position=position, in_hours=in_hours, days=hours.days, opens=hours.opens,
            closes=hours.closes, next_opening=None if in_hours else hours.next_opening(self.now),
        )  # fmt: skip

    async def _alert(self, request: HandoffRequest) -> None:
        """A case new and urgent, or just raised to urgent: on-call caseworkers are alerted."""
        await self.session.flush()
        await alerts.schedule_urgent(self.session, request, self.now)

    async def leave_case(self) -> None:
        """The person went back to the menu: their open case closes, marked as their choice."""
        request = await Handoffs(self.session).open_for(self.contact_id)
        if request is None:
            return
        request.status, request.outcome = CASE_CLOSED, LEFT_BY_PERSON
        request.closed_at = request.updated_at = self.now
        self.cases.add(request.id)

    async def _team(self, commune: str | None) -> str:
        """The team of the commune given, else of the latest declaration's; else the city's."""
        if commune is None:
            commune = await self.session.scalar(
                select(Declaration.ward_code)
                .where(
                    Declaration.contact_id == self.contact_id, Declaration.ward_code.is_not(None)
                )
                .order_by(Declaration.created_at.desc(), Declaration.id.desc())
                .limit(1)
            )
        if commune is None:
            return CITY_TEAM
        team = await self.session.scalar(
            select(TeamCommune.team_code).where(TeamCommune.ward_code == commune)
        )
        return team or CITY_TEAM

    async def _position(self, request: HandoffRequest) -> int:
        """1 + the waiting cases of the same team a caseworker takes first (priority, then age)."""
        rank = PRIORITIES.index(request.priority) if request.priority in PRIORITIES else 99
        earlier = or_(
            HandoffRequest.created_at < request.created_at,
            and_(HandoffRequest.created_at == request.created_at, HandoffRequest.id < request.id),
        )
        ahead = await self.session.scalar(
            select(func.count())
            .select_from(HandoffRequest)
            .where(
                HandoffRequest.status == CASE_WAITING,
                HandoffRequest.team == request.team,
                HandoffRequest.id != request.id,
                or_(_queue_rank < rank, and_(_queue_rank == rank, earlier)),
            )
        )
        return int(ahead or 0) + 1

    async def mark_urgent(self, reason: str) -> None:
        """Flag the person so the queue shows them first."""
        await Contacts(self.session).mark_urgent(self.contact_id)

    async def erase(self) -> EraseOutcome:
        """Erase in this transaction; clear the chat where the channel allows; remove PDFs."""
        refs = await Declarations(self.session).refs_for(self.contact_id)
        channel, chat = self.contact.channel, self.contact.chat_id
        await Outbox(self.session).queue_chat_deletion(channel, chat, self.now)
        anonymised = await erase_contact(self.session, self.contact_id, self.now)
        for ref in refs:
            self.files.remove(ref)
        return EraseOutcome.ANONYMISED if anonymised else EraseOutcome.DELETED

    async def answer_reminder(self, reminder_id: int, answer: str) -> bool:
        """Record the answer on the case; the case is published for the live view."""
        return await person_reminders.answer(
            self.session, self.contact_id, reminder_id, answer, self.now, self.cases
        )

    async def reminder_prefs(self) -> ReminderPrefs:
        """Consent to later contact, safe hours and code word."""
        return await person_reminders.prefs(self.session, self.contact_id)

    async def set_reminder_prefs(
        self,
        *,
        safe_hours: str | EllipsisType | None = ...,
        code_word: str | EllipsisType | None = ...,
    ) -> None:
        """Change safe hours or code word; pending reminders follow new safe hours."""
        await person_reminders.set_prefs(
            self.session, self.contact_id, self.now, safe_hours=safe_hours, code_word=code_word
        )

    async def link_caseworker(self, code: str) -> str | None:
        """Link this chat to the console account of the one-time code; its username."""
        from db.caseworker_links import link_telegram

        channel, chat = self.contact.channel, self.contact.chat_id
        caseworker = await link_telegram(self.session, code, channel, chat, self.now)
        return None if caseworker is None else caseworker.username
