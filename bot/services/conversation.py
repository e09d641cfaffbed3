"""One unit of work per inbound event: dedupe, load state, run the engine, save, commit."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.services.bus import CASE, Bus, Change, LocalBus
from bot.services.case_services import DbCaseServices
from bot.services.declaration_files import DeclarationFiles
from bot.services.hours import ServiceHours
from bot.services.relay import relay_to_case
from bot.services.unit import Effect, Unit, Watched, open_case
from db.models import Contact, HandoffRequest, OutboxItem
from db.outbox import DOCUMENT, MESSAGE, Outbox
from db.repositories import Contacts, Declarations, InboundLog, States
from db.retry import is_retryable
from db.session import checkpoint
from dialogs.engine import Engine
from dialogs.events import Inbound, Kind, Reply
from dialogs.state import State

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
BUSY_ATTEMPTS = 5


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
        self.hours: ServiceHours | None = None
        """When caseworkers answer (HOTLINE_SERVICE_HOURS; bot.app sets it)."""
        self.wakers: dict[str, Callable[[], None]] = {}
        """Per channel, how to wake this process's sender when items are queued."""

    async def handle(
        self,
        event: Inbound,
        outbox: bool = False,
        *,
        effect: Effect | None = None,
        contact_id: int | None = None,
    ) -> Delivery:
        """Apply one event exactly once; with outbox, the replies are queued in the same commit.

        A system event (a caseworker's action) names its person by contact_id and brings its
        own effect on the database; it is applied after the person is locked, so it and the
        person's own messages apply one after the other, in any process. A busy database,
        a serialization failure or a deadlock is retried: the event was not applied, so
        trying again is safe, and dropping it would leave the person without an answer.
        """
        for attempt in range(BUSY_ATTEMPTS):
            try:
                delivery, changes = await self._handle(event, outbox, effect, contact_id)
            except (OperationalError, DBAPIError) as error:
                if not is_retryable(error) or attempt == BUSY_ATTEMPTS - 1:
                    raise
                log.warning("database busy; handling the event again (try %d)", attempt + 2)
                await asyncio.sleep(0.1 * 2**attempt)
                continue
            await self.publish(changes)
            if outbox and delivery.replies:
                self.wake(event.channel)
            await self._prepare_documents(delivery)
            return delivery
        raise AssertionError("unreachable")

    def wake(self, channel: str) -> None:
        """Tell this process's sender of the channel that items were queued."""
        waker = self.wakers.get(channel)
        if waker is not None:
            waker()

    async def publish(self, changes: list[Change]) -> None:
        """After commit: the live views learn what changed; a lost notice loses no data."""
        for change in changes:
            try:
                await self.bus.publish(change)
            except Exception as error:
                log.warning("change not published (%s)", type(error).__name__)

    async def _handle(
        self, event: Inbound, outbox: bool, effect: Effect | None, contact_id: int | None
    ) -> tuple[Delivery, list[Change]]:
        """One attempt at the unit of work."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            if event.external_id and not await InboundLog(session).first_time(
                event.channel, event.external_id, now
            ):
                log.info("duplicate event ignored (%s)", event.channel)
                return Delivery(None, [], "vi"), []
            contacts = Contacts(session)
            if contact_id is None:
                contact = await contacts.get_or_create(event.channel, event.chat, event.user, now)
            elif (found := await contacts.lock(contact_id)) is None:
                return Delivery(None, [], "vi"), []  # erased meanwhile: nobody to tell
            else:
                contact = found
            if event.message_id and outbox:
                Outbox(session).record_message(
                    event.channel, event.chat, event.message_id, "in", now
                )
            await self._note_source(contacts, contact, event)
            unit = Unit(session, contact, now, await open_case(session, contact.id))
            if effect is not None:
                await effect(unit)
                if unit.silent:
                    return Delivery(None, [], contact.locale or "vi"), unit.changes
            states = States(session)
            row = await states.row(contact.id)
            state = State.from_dict(None if row is None else copy.deepcopy(row.state))
            services = Watched(
                DbCaseServices(session, contact, now, self.province, self.files, self.hours)
            )
            outcome = await self.engine.handle(state, event, services, now)
            lang = outcome.lang or state.lang or "vi"
            contact_id = None if outcome.erased else contact.id
            if not outcome.erased:
                states.store(row, contact.id, outcome.state.to_dict(), now)
                if outcome.lang and outcome.lang != contact.locale:
                    await contacts.set_locale(contact.id, outcome.lang)
            if services.touched:
                await self._note_case_change(unit, outcome.erased, services.cases)
            if not outcome.erased:
                await relay_to_case(unit, event, outcome.relay)
            if outbox:
                items = self._enqueue(
                    Outbox(session), event, contact_id, outcome.replies, lang, now
                )
                await self._link_reply(session, unit, items)
        if outcome.erased:
            await checkpoint(self.db)
        return Delivery(contact_id, outcome.replies, lang), unit.changes

    @staticmethod
    async def _note_case_change(unit: Unit, erased: bool, named: set[int]) -> None:
        """The engine opened, raised, left or erased the person's case: the console must know.

        The case opened by this very message (a danger word) also receives that message.
        Cases the services named (a reminder's answer noted on a closed one) are told too.
        """
        if erased:
            if unit.case is not None:
                unit.changes.append(Change(CASE, unit.case.id, None, unit.case.team))
            return
        after = await open_case(unit.session, unit.contact.id)
        before = unit.case
        if after is not None:
            unit.changed(CASE, after)
        if before is not None and (after is None or after.id != before.id):
            unit.changed(CASE, before)
        for case_id in sorted(named - {c.id for c in (before, after) if c is not None}):
            if (other := await unit.session.get(HandoffRequest, case_id)) is not None:
                unit.changed(CASE, other)
        unit.case = after

    @staticmethod
    async def _link_reply(session: AsyncSession, unit: Unit, items: list[OutboxItem]) -> None:
        """A caseworker's message follows the delivery of the item that carries it."""
        message = unit.reply_message
        if message is None or not items:
            return
        await session.flush()
        message.outbox_id, message.delivery = items[0].id, "queued"

    def _enqueue(
        self, outbox: Outbox, event: Inbound, contact_id: int | None, replies: list[Reply],
        lang: str, now: datetime,
    ) -> list[OutboxItem]:  # fmt: skip
        """Queue the replies in order; the PDFs follow the message that mentions them.

        A reply that only re-shows the pressed screen carries that message's id, for the
        sender to edit it in place where the channel can.
        """
        items = []
        for reply in replies:
            message: dict[str, Any] = {"reply": reply.to_dict()}
            if reply.replaces and event.pressed_message_id:
                message["edit"] = event.pressed_message_id
            items.append(outbox.add(event.channel, event.chat, contact_id, MESSAGE, message, now))
            for copy_lang in self.files.copies(lang) if reply.document else ():
                payload = {"ref": reply.document, "lang": copy_lang}
                outbox.add(event.channel, event.chat, contact_id, DOCUMENT, payload, now)
        return items

    @staticmethod
    async def _note_source(contacts: Contacts, contact: Contact, event: Inbound) -> None:
        """Keep the campaign a person came from, once, for statistics."""
        source = event.data.get("source")
        if event.kind is Kind.COMMAND and contact.source is None and isinstance(source, str):
            await contacts.set_source(contact.id, source[:64])

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
