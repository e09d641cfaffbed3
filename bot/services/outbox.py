"""Delivery: one worker per channel drains the outbox, keeping rate limits and retrying."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.ratelimit import ChatBuckets
from db.outbox import FAILED, SENDING, SENT, Outbox, OutboxItem
from db.repositories import InboundLog

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
IDLE_POLL = 5.0
PRUNE_EVERY = timedelta(hours=1)
RECORD_ATTEMPTS = 8


class RetryLater(Exception):
    """The channel asked us to wait (Telegram's 429 with retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class TransientError(Exception):
    """A 5xx, a timeout or a network error: try again with backoff."""


class PermanentError(Exception):
    """Blocked by the user, chat not found: recorded, never retried."""


@dataclass(frozen=True)
class Work:
    """One outbox item as a sender sees it."""

    id: int
    chat_id: str
    contact_id: int | None
    kind: str
    payload: dict[str, Any]


class Sender(Protocol):
    """A channel's own sending; returns the ids of the messages it created."""

    async def send(self, work: Work) -> list[str]:
        """Deliver one item, or raise RetryLater, TransientError or PermanentError."""


def backoff(attempts: int) -> float:
    """Exponential with jitter, capped: 1, 2, 4 … 300 seconds."""
    return min(MAX_BACKOFF, 2.0 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


class OutboxWorker:
    """Sends due items: chats in parallel, each chat in order, within the channel's limits."""

    def __init__(
        self,
        channel: str,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        buckets: ChatBuckets,
        clock: Callable[[], datetime],
        batch: int = 100,
    ) -> None:
        self.channel, self.sessions, self.sender = channel, sessions, sender
        self.buckets, self.clock, self.batch = buckets, clock, batch
        self._wake = asyncio.Event()
        self._chats_busy: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """New items were committed: look now rather than at the next poll."""
        self._wake.set()

    async def recover(self) -> None:
        """At start: items caught mid-send by a crash are sent again."""
        async with self.sessions() as session, session.begin():
            count = await Outbox(session).recover(self.channel)
        if count:
            log.warning("%s: %d items were mid-send at a crash; sending again", self.channel, count)

    async def prune(self) -> None:
        """Forget sent items and message ids past the delete window, and week-old update ids."""
        async with self.sessions() as session, session.begin():
            await Outbox(session).prune(self.clock())
            await InboundLog(session).prune(self.clock())

    async def run(self) -> None:
        """Drain forever; cancelled on shutdown, after in-flight sends finish."""
        await self.recover()
        pruned = self.clock()
        try:
            while True:
                try:
                    if self.clock() - pruned > PRUNE_EVERY:
                        await self.prune()
                        pruned = self.clock()
                    delay = await self.drain_once()
                except Exception:
                    # A locked or lost database must not stop delivery for good: log, retry.
                    log.exception("%s: the outbox could not be read; trying again", self.channel)
                    delay = 1.0
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain_once(self) -> float:
        """Start sending every due head whose chat is free; return how long to sleep."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            outbox = Outbox(session)
            heads = [
                h
                for h in await outbox.due_heads(self.channel, now, self.batch)
                if h.chat_id not in self._chats_busy
            ]
            for head in heads:
                head.status = SENDING
            works = [Work(h.id, h.chat_id, h.contact_id, h.kind, h.payload or {}) for h in heads]
            upcoming = await outbox.next_due(self.channel)
        for work in works:
            self._chats_busy.add(work.chat_id)
            task = asyncio.create_task(self._deliver(work))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if works:
            return 0.0
        if upcoming is None:
            return IDLE_POLL
        wait = (upcoming - now).total_seconds()
        # Due items that were not started wait behind a send in progress in their chat:
        # its end wakes us, so do not spin meanwhile.
        return IDLE_POLL if wait <= 0 else min(IDLE_POLL, wait)

    async def _deliver(self, work: Work) -> None:
        """Send one item within the limits and record the outcome."""
        try:
            while (wait := self.buckets.wait(work.chat_id)) > 0:  # noqa: ASYNC110 - a timed wait
                await asyncio.sleep(wait)
            self.buckets.take(work.chat_id)
            outcome: tuple[str, float, str | None, list[str]]
            try:
                ids = await self.sender.send(work)
                outcome = (SENT, 0.0, None, ids)
            except RetryLater as wait_for:
                # The item's next attempt holds back its whole chat, which keeps its order.
                outcome = ("retry", wait_for.seconds, "retry_after", [])
            except TransientError as error:
                outcome = ("transient", 0.0, str(error)[:200], [])
            except PermanentError as error:
                outcome = (FAILED, 0.0, str(error)[:200], [])
        except Exception:
            log.exception("%s: delivery of item %s failed unexpectedly", self.channel, work.id)
            outcome = ("transient", 0.0, "internal error", [])
        try:
            await self._record_until_done(work, *outcome)
        finally:
            self._chats_busy.discard(work.chat_id)
            self.wake()

    async def _record_until_done(
        self, work: Work, status: str, wait: float, error: str | None, ids: list[str]
    ) -> None:
        """Record the outcome, retrying: a sent item marked for retry would be sent twice."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                return await self._record(work, status, wait, error, ids)
            except Exception:
                log.warning("%s: recording item %s failed (try %d)", self.channel, work.id,
                            attempt + 1, exc_info=True)  # fmt: skip
                await asyncio.sleep(min(30.0, 0.2 * 2**attempt))
        log.error("%s: item %s stays 'sending' until the next start", self.channel, work.id)

    async def _record(
        self, work: Work, status: str, wait: float, error: str | None, ids: list[str]
    ) -> None:
        """Store the outcome; a sent item keeps its message ids and loses its content."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            item = await session.get(OutboxItem, work.id)
            if item is None:
                return
            outbox = Outbox(session)
            if work.contact_id is not None and item.contact_id is None:
                # The person erased their data while this was being sent ("xóa" comes
                # exactly then): take back what it showed, and never retry it.
                outbox.queue_deletion(self.channel, work.chat_id, ids, now)
                await session.delete(item)
                return
            if status == SENT and item.contact_id is None:
                await session.delete(item)  # after an erase: leave no trace of the chat
                return
            if status == SENT:
                item.status, item.sent_at, item.payload, item.error = SENT, now, None, None
                for message_id in ids:
                    outbox.record_message(self.channel, work.chat_id, message_id, "out", now)
                return
            item.attempts += 1
            item.error = error
            if status == FAILED or (item.attempts >= MAX_ATTEMPTS and status != "retry"):
                if item.contact_id is None:
                    await session.delete(item)
                    return
                item.status, item.payload = FAILED, None
                log.warning("%s: item %s failed for good: %s", self.channel, work.id, error)
                return
            item.status = "pending"
            delay = wait if status == "retry" else backoff(item.attempts)
            item.next_attempt_at = now + timedelta(seconds=delay)
