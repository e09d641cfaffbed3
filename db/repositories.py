"""Repositories for people, state, consent, declarations, queue and messages; callers commit."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from db.erasure import erase_contact as erase_contact  # re-exported: callers import it here
from db.lookup import chat_key
from db.models import (
    CASE_OPEN,
    HANDOFF_OPEN,
    Consent,
    Contact,
    ConversationState,
    Declaration,
    HandoffRequest,
    InboundEvent,
    Message,
)

INBOUND_RETENTION = timedelta(days=7)
"""Channels redeliver within hours; a week of update ids is plenty, and says little."""


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session


class InboundLog(_Repository):
    """Which updates were already handled, so a redelivered one is ignored."""

    async def first_time(self, channel: str, external_id: str, now: datetime) -> bool:
        """Record the update; False if it was recorded before (the outer transaction lives on)."""
        row = {"channel": channel, "external_id": external_id, "received_at": now}
        await self._session.flush()  # so that only our insert can fail inside the savepoint
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(InboundEvent).values(row))
        except IntegrityError:
            return False
        return True

    async def prune(self, now: datetime, keep: timedelta = INBOUND_RETENTION) -> int:
        """Forget updates received longer ago than keep; returns how many."""
        result = await self._session.execute(
            delete(InboundEvent).where(InboundEvent.received_at < now - keep)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class Contacts(_Repository):
    """People, one row per channel and chat, found by the keyed hash db.lookup.chat_key."""

    def _by_key(self, key: str) -> Select[tuple[Contact]]:
        # The row lock serialises concurrent updates of one person on PostgreSQL
        # (SQLite has no row locks; its BEGIN IMMEDIATE serialises all writers instead).
        return (
            select(Contact)
            .where(Contact.chat_key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def get_or_create(
        self,
        channel: str,
        chat_id: str,
        user_id: str | None,
        now: datetime,
        *,
        source: str | None = None,
    ) -> Contact:
        """The contact for this chat, created if new; marks it as seen now.

        source (a campaign deep-link) is only recorded when the contact is created.
        """
        key = chat_key(channel, chat_id)
        contact = await self._session.scalar(self._by_key(key))
        if contact is None:
            new = Contact(
                channel=channel,
                chat_key=key,
                chat_id=chat_id,
                user_id=user_id,
                source=source,
                urgent=False,
                created_at=now,
                last_seen_at=now,
            )
            try:
                async with self._session.begin_nested():
                    self._session.add(new)
                return new
            except IntegrityError:
                # Another transaction created it after our select: use theirs.
                contact = await self._session.scalar(self._by_key(key))
                if contact is None:
                    raise
        contact.last_seen_at = now
        if user_id is not None and contact.user_id != user_id:
            contact.user_id = user_id
        return contact

    async def lock(self, contact_id: int) -> Contact | None:
        """The contact with this id, locked for the transaction (None once erased)."""
        found: Contact | None = await self._session.scalar(
            select(Contact)
            .where(Contact.id == contact_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return found

    async def find(self, channel: str, chat_id: str) -> Contact | None:
        """The contact for this chat, if known (no lock, no change)."""
        found = await self._session.scalars(
            select(Contact).where(Contact.chat_key == chat_key(channel, chat_id))
        )
        return found.first()

    async def get(self, contact_id: int) -> Contact | None:
        """The contact with this id, if it still exists."""
        return await self._session.get(Contact, contact_id)

    async def set_locale(self, contact_id: int, locale: str) -> None:
        """Store the language the person chose."""
        await self._set(contact_id, locale=locale)

    async def set_source(self, contact_id: int, source: str) -> None:
        """Record the campaign deep-link the person came from."""
        await self._set(contact_id, source=source)

    async def mark_urgent(self, contact_id: int) -> None:
        """Flag the person as urgent (danger words), for the top of the queue."""
        await self._set(contact_id, urgent=True)

    async def _set(self, contact_id: int, **values: object) -> None:
        await self._session.execute(update(Contact).where(Contact.id == contact_id).values(values))


class States(_Repository):
    """Conversation state, encrypted, one row per contact."""

    async def load(self, contact_id: int) -> dict[str, Any] | None:
        """The saved state (a copy the caller may change), or None for a new conversation."""
        row = await self.row(contact_id)
        return None if row is None else copy.deepcopy(row.state)

    async def row(self, contact_id: int) -> ConversationState | None:
        """The stored row, selected and decrypted once per unit of work (see store)."""
        return await self._session.get(ConversationState, contact_id)

    def store(
        self, row: ConversationState | None, contact_id: int, state: Mapping[str, Any],
        now: datetime,
    ) -> None:  # fmt: skip
        """Replace the state of a row read by row() (None: the first state of this person)."""
        if row is None:
            self._session.add(
                ConversationState(contact_id=contact_id, state=dict(state), updated_at=now)
            )
            return
        row.state = dict(state)
        row.updated_at = now
        flag_modified(row, "state")  # a dict changed in place compares equal to itself

    async def save(self, contact_id: int, state: Mapping[str, Any], now: datetime) -> None:
        """Replace the saved state (outside a unit of work, which uses row and store)."""
        self.store(await self.row(contact_id), contact_id, state, now)


class Consents(_Repository):
    """Consent per purpose, as an append-only history."""

    async def record(self, contact_id: int, purpose: str, granted: bool, now: datetime) -> None:
        """Record a decision (grant, refusal or withdrawal) for one purpose."""
        self._session.add(
            Consent(contact_id=contact_id, purpose=purpose, granted=granted, recorded_at=now)
        )

    async def latest(self, contact_id: int) -> dict[str, bool]:
        """The decision in force for each purpose that was ever asked."""
        rows = await self._session.execute(
            select(Consent.purpose, Consent.granted)
            .where(Consent.contact_id == contact_id)
            .order_by(Consent.recorded_at, Consent.id)
        )
        return {purpose: granted for purpose, granted in rows}


class Declarations(_Repository):
    """Finished self-declarations."""

    async def add(
        self,
        contact_id: int | None,
        ref: str,
        flow_id: str,
        answers: Mapping[str, Any],
        province: str,
        now: datetime,
        *,
        ward_code: str | None = None,
        month: str | None = None,
        return_mode: str | None = None,
        needs: str | None = None,
    ) -> Declaration:
        """Store a declaration; raises IntegrityError at once if ref is taken.

        The keyword columns are the coarse, unencrypted copies the supervisors' figures count.
        """
        declaration = Declaration(
            contact_id=contact_id,
            ref=ref,
            flow_id=flow_id,
            answers=dict(answers),
            province=province,
            created_at=now,
            ward_code=ward_code,
            month=month,
            return_mode=return_mode,
            needs=needs,
        )
        self._session.add(declaration)
        await self._session.flush()
        return declaration

    async def get_by_ref(self, ref: str) -> Declaration | None:
        """The declaration with this reference code."""
        found = await self._session.scalars(select(Declaration).where(Declaration.ref == ref))
        return found.first()

    async def ref_exists(self, ref: str) -> bool:
        """Whether a reference code is already used."""
        return bool(await self._session.scalar(select(exists().where(Declaration.ref == ref))))

    async def refs_for(self, contact_id: int) -> list[str]:
        """A person's reference codes, so erasing can also remove their printed copies."""
        found = await self._session.scalars(
            select(Declaration.ref).where(Declaration.contact_id == contact_id)
        )
        return list(found)


class Handoffs(_Repository):
    """The caseworker queue."""

    async def open(
        self, contact_id: int, urgent: bool, reason: str, now: datetime, note: str = ""
    ) -> HandoffRequest:
        """Queue the person, or raise their open request to urgent: never two open at once.

        The note's lines (why, e.g. the danger words) join those already there, once each.
        """
        request = await self.open_for(contact_id)
        if request is not None:
            if urgent and not request.urgent:
                request.urgent, request.priority = True, "urgent"
                request.reason = reason
            if note:
                lines = (request.note or "").splitlines()
                request.note = "\n".join(dict.fromkeys([*lines, *note.splitlines()]))
            return request
        request = HandoffRequest(
            contact_id=contact_id, urgent=urgent, reason=reason, status=HANDOFF_OPEN,
            priority="urgent" if urgent else "normal", created_at=now, updated_at=now,
            note=note or None,
        )  # fmt: skip
        self._session.add(request)
        await self._session.flush()
        return request

    async def open_for(self, contact_id: int) -> HandoffRequest | None:
        """The person's open request, if any."""
        found = await self._session.scalars(
            select(HandoffRequest)
            .where(HandoffRequest.contact_id == contact_id, HandoffRequest.status.in_(CASE_OPEN))
            .order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc())
            .limit(1)
        )
        return found.first()


class Messages(_Repository):
    """The conversation history, encrypted, for case continuity."""

    async def add(self, contact_id: int, direction: str, body: str, now: datetime) -> Message:
        """Append a message; direction is "in" (from the person) or "out"."""
        if direction not in ("in", "out"):
            raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
        message = Message(contact_id=contact_id, direction=direction, body=body, created_at=now)
        self._session.add(message)
        return message
