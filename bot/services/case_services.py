"""The engine's CaseServices, carried out on the database inside one unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.declaration_files import DeclarationFiles
from bot.services.figures import coarse_columns
from bot.services.refcode import new_ref
from db.models import Contact
from db.outbox import Outbox
from db.repositories import Consents, Contacts, Declarations, Handoffs, erase_contact
from dialogs.ports import EraseOutcome

REF_ATTEMPTS = 8


class DbCaseServices:
    """Bound to one person, one session and one moment."""

    def __init__(
        self,
        session: AsyncSession,
        contact: Contact,
        now: datetime,
        province: str,
        files: DeclarationFiles,
    ) -> None:
        self.session, self.contact, self.contact_id = session, contact, contact.id
        self.now, self.province, self.files = now, province, files

    async def record_consent(self, purpose: str, granted: bool) -> None:
        """Each purpose separately, with the time, so withdrawal can be honoured."""
        await Consents(self.session).record(self.contact_id, purpose, granted, self.now)

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
                return ref
        raise RuntimeError("could not find a free reference code")

    async def request_handoff(self, *, urgent: bool, reason: str, note: str = "") -> None:
        """Queue for a caseworker; a second request raises the urgency and adds to the note."""
        await Handoffs(self.session).open(self.contact_id, urgent, reason, self.now, note)

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
