"""The ticker: claims due reminder rows and fires each once; the table is the truth.

APScheduler's AsyncIOScheduler only paces the passes (every TICK seconds, at once on
wake()); it keeps no job store, so nothing about a reminder lives in memory. One ticker
runs across processes (bot.services.leader, "ticker"); rows are leased (db.claims) for
LEASE and renewed while a batch fires, so a ticker that dies mid-batch holds its rows back
for at most LEASE, after which the next leader takes them.

Missed policy:
- a claimed row whose occurrence has passed (the service was down, or the row waited)
  is marked MISSED with reason "passed" and shown to caseworkers, never sent late;
- any other due row fires, however late: a reminder that fell due during a restart is
  still useful while its appointment is ahead;
- urgent alerts and escalations have no occurrence and fire whenever due; they check
  the case themselves (bot.services.reminders.alerts).
APScheduler's own misfire grace is off (None): a late pass still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from bot.services.bus import Change
from bot.services.reminders import alerts
from bot.services.reminders.firing import fire_person
from bot.services.reminders.schedule import roll_meetings
from db.claims import process_identity, renew
from db.models import FOR_PERSON, REMINDER_MISSED, REMINDER_PENDING, REMINDER_SENT, Reminder
from db.reminders import Reminders

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

TICK = 2.0
"""Seconds between passes when nothing wakes the ticker."""
LEASE = timedelta(seconds=30)
RENEW = 10.0
"""Seconds between renewals of the leases of a batch being fired (well inside LEASE)."""
BATCH = 200
FIRING = 4
"""Person reminders fired at once: each is a unit of work with its own connection."""
QUEUED = "queued"
"""The bus change that wakes the senders of other processes (no case, no person)."""


class Ticker:
    """One pass claims and fires every due reminder; run() repeats it under APScheduler."""

    def __init__(self, app: App, owner: str | None = None, lease: timedelta = LEASE) -> None:
        self.app, self.owner, self.lease = app, owner or process_identity(), lease
        self.clock = app.conversations.clock
        self._inflight: set[int] = set()
        self._again = False
        self._running = False
        self._scheduler: AsyncIOScheduler | None = None

    async def tick(self) -> int:
        """Roll meetings, then claim and fire due batches until none is left; how many fired."""
        sessions = self.app.conversations.sessions
        async with sessions() as session, session.begin():
            await roll_meetings(session, self.clock())
        fired, channels = 0, set[str]()
        while True:
            claimed, batch = await self._claim()
            if not claimed:
                break
            renewing = asyncio.create_task(self._renew_forever())
            try:
                fired += await self._fire(batch, channels)
            finally:
                renewing.cancel()
                await asyncio.gather(renewing, return_exceptions=True)
                self._inflight.clear()
        if fired:
            for channel in channels:
                self.app.conversations.wake(channel)
            await self.app.conversations.publish([Change(QUEUED)])
        return fired

    async def _claim(self) -> tuple[int, list[tuple[int, str]]]:
        """Lease the next due batch; rows whose occurrence passed are marked missed now."""
        now = self.clock()
        async with self.app.conversations.sessions() as session, session.begin():
            reminders = Reminders(session)
            rows = await reminders.claim_due(now, self.owner, self.lease, BATCH)
            batch = []
            for row in rows:
                if row.occurrence_at is not None and row.occurrence_at <= now:
                    await reminders.finish(row.id, self.owner, REMINDER_MISSED, now, "passed")
                else:
                    batch.append((row.id, row.kind))
        if missed := len(rows) - len(batch):
            log.warning("%d reminders fell due after their appointment: missed", missed)
        self._inflight = {rid for rid, _kind in batch}
        return len(rows), batch

    async def _fire(self, batch: list[tuple[int, str]], channels: set[str]) -> int:
        """Fire a claimed batch: people's through the unit of work, a few at a time."""
        gate = asyncio.Semaphore(FIRING)

        async def one(reminder_id: int, kind: str) -> bool:
            async with gate:
                try:
                    if kind == FOR_PERSON:
                        return await fire_person(self.app, reminder_id, self.owner)
                    return await self._fire_alert(reminder_id, channels)
                except Exception:
                    # Left claimed: its lease runs out and a later pass tries it again.
                    log.exception("reminder %s could not be fired", reminder_id)
                    return False
                finally:
                    self._inflight.discard(reminder_id)

        done = await asyncio.gather(*(one(rid, kind) for rid, kind in batch))
        return sum(done)

    async def _fire_alert(self, reminder_id: int, channels: set[str]) -> bool:
        """A caseworker's reminder or an urgent alert: worded and queued in one commit."""
        now, context = self.clock(), alerts.AlertContext.from_app(self.app)
        async with self.app.conversations.sessions() as session, session.begin():
            reminder = await session.scalar(
                select(Reminder)
                .where(Reminder.id == reminder_id, Reminder.claimed_by == self.owner)
                .where(Reminder.status == REMINDER_PENDING)
                .with_for_update()
            )
            if reminder is None:
                return False
            woken = await alerts.fire(session, reminder, now, context)
            if not await Reminders(session).finish(reminder_id, self.owner, REMINDER_SENT, now):
                raise RuntimeError("lease lost while firing")  # rolls the messages back
        channels.update(woken)
        return True

    async def _renew_forever(self) -> None:
        """Keep the leases of the batch being fired, so no other ticker takes them."""
        while True:
            await asyncio.sleep(RENEW)
            with contextlib.suppress(Exception):
                async with self.app.conversations.sessions() as session, session.begin():
                    await renew(
                        session, Reminder, set(self._inflight),
                        owner=self.owner, now=self.clock(), lease=self.lease,
                    )  # fmt: skip

    def wake(self) -> None:
        """Something may be due now (a new urgent case, a bus change): pass at once."""
        self._again = True
        if self._scheduler is not None and not self._running:
            job = self._scheduler.get_job("tick")
            if job is not None:
                job.modify(next_run_time=datetime.now(UTC))

    async def _pass(self) -> None:
        """The job: tick until no wake came in meanwhile; a failure waits for the next."""
        self._running = True
        try:
            self._again = True
            while self._again:
                self._again = False
                await self.tick()
        except Exception:
            log.exception("the reminder ticker's pass failed; trying again")
        finally:
            self._running = False

    async def run(self) -> None:
        """Forever, while this process leads "ticker"; wakes on bus changes too."""
        # A pass longer than TICK makes APScheduler warn that it skipped one: expected here.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._pass, "interval", seconds=TICK, id="tick", next_run_time=datetime.now(UTC),
            misfire_grace_time=None, coalesce=True, max_instances=1,
        )  # fmt: skip
        self._scheduler = scheduler
        scheduler.start()
        try:
            async with self.app.bus.subscribe() as changes:
                async for change in changes:
                    if change.kind != QUEUED:
                        self.wake()
        finally:
            self._scheduler = None
            scheduler.shutdown(wait=False)
