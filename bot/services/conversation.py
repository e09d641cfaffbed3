"""One unit of work per inbound event: dedupe, load state, run the engine, save, commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.services.case_services import DbCaseServices
from bot.services.declaration_files import DeclarationFiles
from db.repositories import Contacts, Declarations, Handoffs, InboundLog, Messages, States
from db.session import checkpoint
from dialogs.engine import Engine
from dialogs.events import Inbound, Kind, Reply
from dialogs.state import State

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The real clock; tests inject their own."""
    return datetime.now(UTC)


@dataclass
class Delivery:
    """What a channel must send for one event, and to whom."""

    contact_id: int | None
    replies: list[Reply]
    lang: str


class ConversationService:
    """The only way an inbound event changes anything: state, effects and log commit together."""

    def __init__(
        self,
        db: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        engine: Engine,
        files: DeclarationFiles,
        province: str,
        clock: Clock = utcnow,
    ) -> None:
        self.db, self.sessions, self.engine = db, sessions, engine
        self.files, self.province, self.clock = files, province, clock

    async def handle(self, event: Inbound) -> Delivery:
        """Apply one event exactly once; a redelivered event yields no replies."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            if event.external_id and not await InboundLog(session).first_time(
                event.channel, event.external_id, now
            ):
                log.info("duplicate event ignored (%s)", event.channel)
                return Delivery(None, [], "vi")
            contact = await Contacts(session).get_or_create(
                event.channel, event.chat, event.user, now
            )
            state = State.from_dict(await States(session).load(contact.id))
            services = DbCaseServices(session, contact.id, now, self.province, self.files)
            outcome = await self.engine.handle(state, event, services, now)
            lang = outcome.lang or state.lang or "vi"
            if not outcome.erased:
                await States(session).save(contact.id, outcome.state.to_dict(), now)
                if outcome.lang and outcome.lang != contact.locale:
                    await Contacts(session).set_locale(contact.id, outcome.lang)
                await self._log_for_caseworker(session, contact.id, event, now)
        if outcome.erased:
            await checkpoint(self.db)
        return Delivery(None if outcome.erased else contact.id, outcome.replies, lang)

    async def _log_for_caseworker(
        self, session: AsyncSession, contact_id: int, event: Inbound, now: datetime
    ) -> None:
        """Keep what the person writes only while a caseworker is to read it."""
        if event.kind is Kind.TEXT and event.text and await Handoffs(session).open_for(contact_id):
            await Messages(session).add(contact_id, "in", event.text, now)

    async def declaration_pdf(self, contact_id: int | None, ref: str, lang: str) -> bytes | None:
        """The PDF of one of this person's declarations; None for anyone else's."""
        async with self.sessions() as session:
            found = await Declarations(session).get_by_ref(ref)
        if found is None or contact_id is None or found.contact_id != contact_id:
            return None
        return self.files.render(ref, dict(found.answers), lang, found.created_at)
