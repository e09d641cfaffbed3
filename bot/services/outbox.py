"""Delivery: one worker per channel drains the outbox, keeping rate limits and retrying.

Several processes may drain one PostgreSQL outbox: each item is leased (db.claims) to the
process that sends it. The lease is short (LEASE, 10 s) and renewed every RENEW while the
send is in progress, rather than one long lease: a sender that dies mid-send holds its
items back for at most LEASE, so another process finishes them within the 15 s that a
takeover may take, while a slow send (a large document, a 429 wait in the rate limiter)
keeps its items for as long as it lives. The price is that a process cut off from the
database for longer than LEASE may see an item it is still sending taken back and sent
again; the outcome it then records is dropped, since the lease is no longer its own.
"""

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
from db.claims import process_identity
from db.outbox import FAILED, PENDING, SENT, Outbox
from db.repositories import InboundLog

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
IDLE_POLL = 5.0
PRUNE_EVERY = timedelta(hours=1)
RECORD_ATTEMPTS = 8
LEASE = timedelta(seconds=10)
"""How long a claimed item stays another process's without a renewal."""
RENEW = 3.0
RECORDERS = 4
"""Outcomes recorded at once: fewer than the engine's pool (5), so that a burst of sends
does not open and close overflow connections, which made recording lag a second behind."""
CLAIM_AHEAD = 2.0
"""Claim no more than the channel's overall rate lets go in this many seconds: an item
claimed but waiting in the rate limiter would wait out its whole lease if we died."""
"""Seconds between renewals of the leases of sends in progress (well inside LEASE)."""


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
        owner: str | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.channel, self.sessions, self.sender = channel, sessions, sender
        self.buckets, self.clock, self.batch = buckets, clock, batch
        self.owner, self.lease = owner or process_identity(), lease
        self._wake = asyncio.Event()
        self._inflight: set[int] = set()
        self._recording = asyncio.Semaphore(RECORDERS)
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """New items were committed: look now rather than at the next poll."""
        self._wake.set()

    async def recover(self) -> None:
        """Items whose sender died mid-send (their lease expired) are sent again."""
        async with self.sessions() as session, session.begin():
            count = await Outbox(session).recover(self.channel, self.clock(), self._inflight)
        if count:
            log.warning("%s: %d items were mid-send at a crash; sending again", self.channel, count)

    async def renew(self) -> None:
        """Extend the leases of the sends in progress, so that nobody takes them back."""
        ids = set(self._inflight)
        if not ids:
            return
        async with self.sessions() as session, session.begin():
            kept = await Outbox(session).renew(ids, self.owner, self.clock(), self.lease)
        if lost := (ids - kept) & self._inflight:  # not those recorded meanwhile
            log.warning("%s: lost the lease of %d items in flight", self.channel, len(lost))

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(RENEW)
            try:
                await self.renew()
            except Exception:
                log.warning("%s: leases could not be renewed", self.channel, exc_info=True)

    async def prune(self) -> None:
        """Forget sent items and message ids past the delete window, and week-old update ids."""
        async with self.sessions() as session, session.begin():
            await Outbox(session).prune(self.clock())
            await InboundLog(session).prune(self.clock())

    async def run(self) -> None:
        """Drain forever; cancelled on shutdown, after in-flight sends finish."""
        renewing = asyncio.create_task(self._renew_forever(), name=f"{self.channel}-leases")
        pruned = self.clock()
        try:
            while True:
                try:
                    await self.recover()
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
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)

    async def drain_once(self) -> float:
        """Lease and start sending every due head of a chat; return how long to sleep.

        A chat whose head is being sent has no due head (db.outbox), here or elsewhere.
        """
        now = self.clock()
        ahead = max(1, int(self.buckets.overall.rate * CLAIM_AHEAD))
        room = min(self.batch, ahead) - len(self._inflight)
        async with self.sessions() as session, session.begin():
            outbox = Outbox(session)
            heads = (
                await outbox.claim_heads(self.channel, now, room, self.owner, self.lease)
                if room > 0
                else []
            )
            works = [Work(h.id, h.chat_id, h.contact_id, h.kind, h.payload or {}) for h in heads]
            upcoming = await outbox.next_due(self.channel)
            expiry = await outbox.next_expiry(self.channel, self._inflight)
        for work in works:
            self._inflight.add(work.id)
            task = asyncio.create_task(self._deliver(work))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if works:
            return 0.0
        # A dead sender's lease runs out then: its item is taken back at once, not at a poll.
        lapse = IDLE_POLL if expiry is None else (expiry - now).total_seconds() + 0.05
        if upcoming is None:
            return max(0.05, min(IDLE_POLL, lapse))
        wait = (upcoming - now).total_seconds()
        # Due items that were not started wait behind a send in progress in their chat
        # (or for room among our sends): its end wakes us, so do not spin meanwhile.
        return max(0.05, min(IDLE_POLL if wait <= 0 else min(IDLE_POLL, wait), lapse))

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
            self._inflight.discard(work.id)
            self.wake()

    async def _record_until_done(
        self, work: Work, status: str, wait: float, error: str | None, ids: list[str]
    ) -> None:
        """Record the outcome, retrying: a sent item marked for retry would be sent twice."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                async with self._recording:
                    return await self._record(work, status, wait, error, ids)
            except Exception:
                log.warning("%s: recording item %s failed (try %d)", self.channel, work.id,
                            attempt + 1, exc_info=True)  # fmt: skip
                await asyncio.sleep(min(30.0, 0.2 * 2**attempt))
        log.error("%s: item %s stays 'sending' until its lease expires", self.channel, work.id)

    async def _record(
        self, work: Work, status: str, wait: float, error: str | None, ids: list[str]
    ) -> None:
        """Store the outcome, if the lease is still ours; a sent item keeps only its message ids.

        Its conversation message (messages.outbox_id) follows: delivery "sent" or "failed".
        """
        now = self.clock()
        async with self.sessions() as session, session.begin():
            outbox = Outbox(session)
            item = await outbox.held(work.id, self.owner)
            if item is None:
                log.warning("%s: item %s is no longer ours; outcome dropped", self.channel, work.id)
                return
            item.claimed_by, item.claimed_until = None, None
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
                await outbox.set_delivery(item.id, SENT)
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
                await outbox.set_delivery(item.id, FAILED)
                log.warning("%s: item %s failed for good: %s", self.channel, work.id, error)
                return
            item.status = PENDING
            delay = wait if status == "retry" else backoff(item.attempts)
            item.next_attempt_at = now + timedelta(seconds=delay)
