"""One unit of work per inbound event: dedupe, load state, run the engine, save, commit."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.services.bus import Bus, LocalBus
from bot.services.case_services import DbCaseServices
from bot.services.declaration_files import DeclarationFiles
from db.models import Contact
from db.outbox import DOCUMENT, MESSAGE, Outbox
from db.repositories import Contacts, Declarations, Handoffs, InboundLog, Messages, States
from db.session import checkpoint
from dialogs.engine import Engine
from dialogs.events import Inbound, Kind, Reply
from dialogs.state import Screen, State
from dialogs.text import clean

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
BUSY_ATTEMPTS = 5
SOURCE = re.compile(r"^/start(?:@\w+)?\s+(src_[A-Za-z0-9_-]{1,60})$")
"""A campaign deep link, e.g. /start src_leaflet_thuynguyen."""


def utcnow() -> datetime:
    """The real clock; tests inject their own."""
    return datetime.now(UTC)


@dataclass
class Delivery:
    """What one event produced, for whom, in which language."""

    contact_id: int | None
    replies: list[Reply]
    lang: str


class ConversationService:
    """The only way an event changes anything: state, effects and replies commit together."""

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
        self.bus: Bus = LocalBus()
        """Where committed changes are published (bot.app sets the app's own)."""

    async def handle(self, event: Inbound, outbox: bool = False) -> Delivery:
        """Apply one event exactly once; with outbox, the replies are queued in the same commit.

        A busy database is retried: the event was not applied, so trying again is safe,
        and dropping it would leave the person without an answer.
        """
        for attempt in range(BUSY_ATTEMPTS):
            try:
                delivery = await self._handle(event, outbox)
            except OperationalError as error:
                if "locked" not in str(error) or attempt == BUSY_ATTEMPTS - 1:
                    raise
                log.warning("database busy; handling the event again (try %d)", attempt + 2)
                await asyncio.sleep(0.1 * 2**attempt)
                continue
            await self._prepare_documents(delivery)
            return delivery
        raise AssertionError("unreachable")

    async def _handle(self, event: Inbound, outbox: bool) -> Delivery:
        """One attempt at the unit of work."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            if event.external_id and not await InboundLog(session).first_time(
                event.channel, event.external_id, now
            ):
                log.info("duplicate event ignored (%s)", event.channel)
                return Delivery(None, [], "vi")
            contacts = Contacts(session)
            contact = await contacts.get_or_create(event.channel, event.chat, event.user, now)
            if event.message_id and outbox:
                Outbox(session).record_message(
                    event.channel, event.chat, event.message_id, "in", now
                )
            await self._note_source(contacts, contact, event)
            state = State.from_dict(await States(session).load(contact.id))
            services = DbCaseServices(session, contact, now, self.province, self.files)
            outcome = await self.engine.handle(state, event, services, now)
            lang = outcome.lang or state.lang or "vi"
            contact_id = None if outcome.erased else contact.id
            if not outcome.erased:
                await States(session).save(contact.id, outcome.state.to_dict(), now)
                if outcome.lang and outcome.lang != contact.locale:
                    await contacts.set_locale(contact.id, outcome.lang)
                await self._log_for_caseworker(session, contact.id, event, outcome.state, now)
            if outbox:
                self._enqueue(Outbox(session), event, contact_id, outcome.replies, lang, now)
        if outcome.erased:
            await checkpoint(self.db)
        return Delivery(contact_id, outcome.replies, lang)

    def _enqueue(
        self, outbox: Outbox, event: Inbound, contact_id: int | None, replies: list[Reply],
        lang: str, now: datetime,
    ) -> None:  # fmt: skip
        """Queue the replies in order; the PDFs follow the message that mentions them.

        A reply that only re-shows the pressed screen carries that message's id, for the
        sender to edit it in place where the channel can.
        """
        for reply in replies:
            message: dict[str, Any] = {"reply": reply.to_dict()}
            if reply.replaces and event.pressed_message_id:
                message["edit"] = event.pressed_message_id
            outbox.add(event.channel, event.chat, contact_id, MESSAGE, message, now)
            for copy in self.files.copies(lang) if reply.document else ():
                payload = {"ref": reply.document, "lang": copy}
                outbox.add(event.channel, event.chat, contact_id, DOCUMENT, payload, now)

    @staticmethod
    async def _note_source(contacts: Contacts, contact: Contact, event: Inbound) -> None:
        """Keep the campaign a person came from, once, for statistics."""
        if event.kind is Kind.COMMAND and contact.source is None:
            found = SOURCE.match(event.text.strip())
            if found:
                await contacts.set_source(contact.id, found.group(1))

    async def _log_for_caseworker(
        self, session: AsyncSession, contact_id: int, event: Inbound, state: State, now: datetime
    ) -> None:
        """Keep what the person writes to a caseworker, only while a request is open.

        Answers to the declaration are not copied here: they live in the declaration alone.
        """
        text = clean(event.text)
        answering = state.screen in (Screen.STEP, Screen.REVIEW, Screen.REVIEW_PART)
        if event.kind is not Kind.TEXT or not text or answering:
            return
        if await Handoffs(session).open_for(contact_id):
            await Messages(session).add(contact_id, "in", text, now)

    async def _prepare_documents(self, delivery: Delivery) -> None:
        """Render a new declaration's PDFs now, once, so that sending only reads them."""
        for reply in delivery.replies:
            for lang in self.files.copies(delivery.lang) if reply.document else ():
                try:
                    ref = reply.document or ""
                    await self.declaration_pdf(delivery.contact_id, ref, lang, keep=True)
                except Exception as error:  # the type only: a message might quote an answer
                    log.error("PDF not made at submission (%s)", type(error).__name__)

    async def declaration_pdf(
        self, contact_id: int | None, ref: str, lang: str, keep: bool = False
    ) -> bytes | None:
        """One of this person's declarations as a PDF in lang; None for anyone else's.

        The copy kept at submission (keep) is served as it is, on every send retry. If it is
        missing (expired, or its render failed), a send renders its own and keeps nothing,
        so an erase meanwhile cannot leave a copy behind.
        """
        async with self.sessions() as session:
            found = await Declarations(session).get_by_ref(ref)
        if found is None or contact_id is None or found.contact_id != contact_id:
            return None
        if (data := self.files.load(ref, lang)) is not None:
            return data
        answers, created = dict(found.answers), found.created_at
        make = self.files.prepare if keep else self.files.render
        # CPU-bound: off the event loop, so other conversations go on meanwhile.
        return await asyncio.to_thread(make, ref, answers, lang, created)

    def declaration_sent(self, ref: str, lang: str) -> None:
        """The PDF reached the person: stop keeping it."""
        self.files.sent(ref, lang)
