"""The outbox: replies commit with the conversation state, and are sent after, exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
        """Queue one item; it commits with whatever else the caller commits."""
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

    async def due_heads(self, channel: str, now: datetime, limit: int) -> list[OutboxItem]:
        """The oldest unsent item of each chat, if it is due: chats keep their order."""
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
        query = (
            select(OutboxItem)
            .where(
                OutboxItem.channel == channel,
                OutboxItem.status == PENDING,
                OutboxItem.next_attempt_at <= now,
                ~blocked,
            )
            .order_by(OutboxItem.id)
            .limit(limit)
        )
        return list(await self._session.scalars(query))

    async def next_due(self, channel: str) -> datetime | None:
        """When the next pending item falls due, to sleep exactly that long."""
        query = select(func.min(OutboxItem.next_attempt_at)).where(
            OutboxItem.channel == channel, OutboxItem.status == PENDING
        )
        return (await self._session.scalar(query)) or None

    async def recover(self, channel: str) -> int:
        """After a crash, items caught mid-send go back to pending (sent at least once)."""
        result = await self._session.execute(
            update(OutboxItem)
            .where(OutboxItem.channel == channel, OutboxItem.status == SENDING)
            .values(status=PENDING)
        )
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
