"""The outbox: replies commit with the conversation state, and are sent after, exactly once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, load_only

from db.claims import claim, expired, held_by, release_values, renew
from db.lookup import chat_key
from db.models import (
    DELETE,
    DOCUMENT,
    FAILED,
    MESSAGE,
    PENDING,
    SENDING,
    SENT,
    ChannelMessage,
    Message,
    OutboxItem,
)

__all__ = ["DELETE", "DOCUMENT", "FAILED", "MESSAGE", "PENDING", "SENDING", "SENT", "Outbox"]
DELETE_BATCH = 100
"""Telegram's deleteMessages takes up to 100 ids at once."""
DELETE_WINDOW = timedelta(hours=47)
"""Telegram lets a bot delete messages for 48 hours; keep a margin."""


class Outbox:
    """Queries on the outbox; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(
        self,
        channel: str,
        chat_id: str,
        contact_id: int | None,
        kind: str,
        payload: Any,
        now: datetime,
    ) -> OutboxItem:
        """Queue one item; it commits with whatever else the caller commits.

        Its id, after a flush, links the conversation's message (Message.outbox_id).
        """
        item = OutboxItem(
            channel=channel,
            chat_key=chat_key(channel, chat_id),
            chat_id=chat_id,
            contact_id=contact_id,
            kind=kind,
            payload=payload,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self._session.add(item)
        return item

    @staticmethod
    def _heads(channel: str, now: datetime) -> list[ColumnElement[bool]]:
        """Due pending items with no older unsent item in their chat: chats keep their order."""
        older = aliased(OutboxItem)
        blocked = (
            select(older.id)
            .where(
                older.chat_key == OutboxItem.chat_key,
                older.status.in_((PENDING, SENDING)),
                older.id < OutboxItem.id,
            )
            .exists()
        )
        return [
            OutboxItem.channel == channel,
            OutboxItem.status == PENDING,
            OutboxItem.next_attempt_at <= now,
            ~blocked,
        ]

    async def due_heads(self, channel: str, now: datetime, limit: int) -> list[OutboxItem]:
        """The oldest unsent item of each chat, if it is due (read only, no lease)."""
        query = (
            select(OutboxItem)
            .where(*self._heads(channel, now))
            .order_by(OutboxItem.id)
            .limit(limit)
        )
        return list(await self._session.scalars(query))

    async def claim_heads(
        self, channel: str, now: datetime, limit: int, owner: str, lease: timedelta
    ) -> list[OutboxItem]:
        """Lease the due heads to owner and mark them sending (db.claims).

        Another process's claim cannot take the next item of a chat meanwhile: the head
        it would wait behind is pending or sending, and the head itself is locked or taken.
        """
        return await claim(
            self._session,
            OutboxItem,
            where=self._heads(channel, now),
            order_by=[OutboxItem.id],
            limit=limit,
            owner=owner,
            now=now,
            lease=lease,
            values={"status": SENDING},
        )

    async def held(self, item_id: int, owner: str) -> OutboxItem | None:
        """The item if owner still holds its lease, locked until the outcome commits."""
        query = (
            select(OutboxItem)
            .where(
                OutboxItem.id == item_id, OutboxItem.status == SENDING, held_by(OutboxItem, owner)
            )
            .with_for_update()
            # Not the encrypted chat and payload: recording needs neither, and decrypting
            # them for each outcome slows the recording of a burst of sends.
            .options(load_only(OutboxItem.contact_id, OutboxItem.attempts, OutboxItem.status))
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(query)).first()

    async def renew(
        self, ids: Collection[int], owner: str, now: datetime, lease: timedelta
    ) -> set[int]:
        """Extend owner's leases on items it is still sending; return those still its own."""
        return await renew(self._session, OutboxItem, ids, owner=owner, now=now, lease=lease)

    async def set_delivery(self, item_id: int, delivery: str) -> None:
        """The conversation's copy of the message follows its item: sent or failed."""
        await self._session.execute(
            update(Message)
            .where(Message.outbox_id == item_id)
            .values(delivery=delivery)
            .execution_options(synchronize_session=False)
        )

    async def next_due(self, channel: str) -> datetime | None:
        """When the next pending item falls due, to sleep exactly that long."""
        query = select(func.min(OutboxItem.next_attempt_at)).where(
            OutboxItem.channel == channel, OutboxItem.status == PENDING
        )
        return (await self._session.scalar(query)) or None

    async def next_expiry(self, channel: str, keep: Collection[int] = ()) -> datetime | None:
        """When the first lease of another sender runs out, to take its item back then."""
        query = select(func.min(OutboxItem.claimed_until)).where(
            OutboxItem.channel == channel, OutboxItem.status == SENDING
        )
        if keep:
            query = query.where(OutboxItem.id.not_in(list(keep)))
        return (await self._session.scalar(query)) or None

    async def recover(self, channel: str, now: datetime, keep: Collection[int] = ()) -> int:
        """Items whose lease expired (their sender died) go back to pending: sent at least once.

        Items another live process is sending keep their lease, which it renews; keep are
        this process's own sends in progress, never taken back from itself.
        """
        query = (
            update(OutboxItem)
            .where(
                OutboxItem.channel == channel,
                OutboxItem.status == SENDING,
                expired(OutboxItem, now),
            )
            .values(status=PENDING, **release_values())
            .execution_options(synchronize_session=False)
        )
        if keep:
            query = query.where(OutboxItem.id.not_in(list(keep)))
        result = await self._session.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def record_message(
        self, channel: str, chat_id: str, message_id: str, direction: str, now: datetime
    ) -> None:
        """Remember a message id in a chat for later deletion."""
        self._session.add(
            ChannelMessage(
                channel=channel,
                chat_key=chat_key(channel, chat_id),
                message_id=message_id,
                direction=direction,
                at=now,
            )
        )

    async def queue_chat_deletion(
        self, channel: str, chat_id: str, now: datetime, window: timedelta = DELETE_WINDOW
    ) -> int:
        """Forget what was queued for a chat and queue deletion of what it still shows.

        An item being sent at this moment stays, unlinked by the erase; the sender then
        queues deletion of what it created (bot.services.outbox).
        """
        key = chat_key(channel, chat_id)
        await self._session.execute(
            delete(OutboxItem).where(
                OutboxItem.chat_key == key,
                OutboxItem.status != SENDING,
                OutboxItem.kind != DELETE,  # an earlier erase's deletions still have to happen
            )
        )
        found = await self._session.scalars(
            select(ChannelMessage.message_id)
            .where(and_(ChannelMessage.chat_key == key, ChannelMessage.at >= now - window))
            .order_by(ChannelMessage.id)
        )
        ids = list(found)
        self.queue_deletion(channel, chat_id, ids, now)
        await self._session.execute(delete(ChannelMessage).where(ChannelMessage.chat_key == key))
        return len(ids)

    def queue_deletion(self, channel: str, chat_id: str, ids: list[str], now: datetime) -> None:
        """Queue deletion of these messages from the chat, in batches the channel accepts."""
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            self.add(channel, chat_id, None, DELETE, {"message_ids": batch}, now)

    async def prune(self, now: datetime, keep: timedelta = timedelta(hours=48)) -> None:
        """Forget sent items and message ids too old to matter."""
        await self._session.execute(
            delete(OutboxItem).where(OutboxItem.status == SENT, OutboxItem.sent_at < now - keep)
        )
        await self._session.execute(delete(ChannelMessage).where(ChannelMessage.at < now - keep))
