"""The ticker with an injected clock: each due reminder fires once, when useful and safe."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot.app import App
from bot.services.reminders import alerts
from bot.services.reminders.ticker import LEASE, TICK, Ticker
from db import caseworker_links as links
from db.models import (
    CITY_TEAM,
    FOR_CASEWORKER,
    FOR_PERSON,
    REMINDER_CANCELLED,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    VISIT,
    Appointment,
    AppointmentPerson,
    Caseworker,
    ContactPrefs,
    HandoffRequest,
    InboundEvent,
    OutboxItem,
    Reminder,
)
from db.repositories import Consents, Contacts
from dialogs.events import Reply
from tests.support import FakeClock

ONE_MESSAGE = 1
"""What one person's reminder queues: its one neutral message."""
TICK_S = timedelta(seconds=TICK)


async def person(
    app: App, clock: FakeClock, chat: str, *, consent: bool = True, safe: str | None = None
) -> int:
    """A person who answered the contact consent, with their safe hours."""
    async with app.conversations.sessions() as session, session.begin():
        contact = await Contacts(session).get_or_create("test", chat, chat, clock())
        await Consents(session).record(contact.id, "contact", consent, clock())
        session.add(ContactPrefs(contact_id=contact.id, safe_hours=safe, updated_at=clock()))
        return contact.id


async def visit(
    app: App, clock: FakeClock, contact_id: int | None, *, at: timedelta, due: timedelta,
    kind: str = FOR_PERSON,
) -> int:  # fmt: skip
    """A visit at now+at with one reminder due at now+due (negative: in the past)."""
    now = clock()
    async with app.conversations.sessions() as session, session.begin():
        appt = Appointment(
            kind=VISIT, starts_at=now + at, next_at=now + at, created_at=now, updated_at=now
        )
        session.add(appt)
        await session.flush()
        if contact_id is not None:
            session.add(AppointmentPerson(appointment_id=appt.id, contact_id=contact_id))
        row = Reminder(
            kind=kind, appointment_id=appt.id, contact_id=contact_id, occurrence_at=now + at,
            lead_minutes=1440, due_at=now + due, status=REMINDER_PENDING, created_at=now,
        )  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id


async def row(app: App, reminder_id: int) -> Reminder:
    async with app.conversations.sessions() as session:
        found = await session.get(Reminder, reminder_id)
        assert found is not None
        return found


async def count(app: App, model: Any, *where: Any) -> int:
    async with app.conversations.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_a_due_reminder_fires_once_and_is_marked_sent(app, clock) -> None:
    rid = await visit(app, clock, await person(app, clock, "a"), at=timedelta(days=1), due=-TICK_S)
    ticker = Ticker(app)
    assert await ticker.tick() == 1
    fired = await row(app, rid)
    assert (fired.status, fired.fired_at, fired.claimed_by) == (REMINDER_SENT, clock(), None)
    assert await count(app, InboundEvent, InboundEvent.external_id.like(f"reminder:{rid}:%")) == 1
    assert await count(app, OutboxItem, OutboxItem.contact_id.is_not(None)) == ONE_MESSAGE
    clock.advance(hours=1)
    assert await ticker.tick() == 0, "never again"


async def test_a_reminder_not_yet_due_waits_for_its_time(app, clock) -> None:
    rid = await visit(
        app, clock, await person(app, clock, "a"), at=timedelta(days=1), due=timedelta(hours=1)
    )
    ticker = Ticker(app)
    assert await ticker.tick() == 0
    assert (await row(app, rid)).status == REMINDER_PENDING
    clock.advance(hours=1)
    assert await ticker.tick() == 1


async def test_due_during_downtime_is_sent_at_restart_while_still_useful(app, clock) -> None:
    rid = await visit(
        app, clock, await person(app, clock, "a"), at=timedelta(hours=2), due=-timedelta(hours=5)
    )
    assert await Ticker(app).tick() == 1
    assert (await row(app, rid)).status == REMINDER_SENT


async def test_a_reminder_whose_visit_passed_is_missed_not_sent(app, clock) -> None:
    rid = await visit(
        app, clock, await person(app, clock, "a"), at=-timedelta(hours=1), due=-timedelta(days=1)
    )
    assert await Ticker(app).tick() == 0
    missed = await row(app, rid)
    assert (missed.status, missed.reason, missed.claimed_by) == (REMINDER_MISSED, "passed", None)
    assert await count(app, OutboxItem) == 0


async def test_withdrawn_consent_cancels_instead_of_sending(app, clock) -> None:
    rid = await visit(
        app, clock, await person(app, clock, "a", consent=False), at=timedelta(days=1), due=-TICK_S
    )
    assert await Ticker(app).tick() == 0
    cancelled = await row(app, rid)
    assert (cancelled.status, cancelled.reason) == (REMINDER_CANCELLED, "consent")
    assert await count(app, OutboxItem) == 0
    assert await count(app, InboundEvent) == 0, "a silent unit keeps no event id"


async def test_outside_safe_hours_it_moves_to_the_window_and_fires_there(app, clock) -> None:
    # 03:00 UTC is 10:00 in Hồ Chí Minh City; this person is safe in the evening only.
    contact = await person(app, clock, "a", safe="evening")
    rid = await visit(app, clock, contact, at=timedelta(days=1), due=-TICK_S)
    ticker = Ticker(app)
    assert await ticker.tick() == 0
    moved = await row(app, rid)
    evening = datetime(2026, 12, 1, 11, 0, tzinfo=clock().tzinfo)  # 18:00 local
    assert (moved.status, moved.due_at, moved.claimed_by) == (REMINDER_PENDING, evening, None)
    assert await count(app, InboundEvent) == 0, "its event id is not used up"
    clock.advance(hours=7, minutes=59)
    assert await ticker.tick() == 0, "17:59 local: not yet"
    clock.advance(minutes=1)
    assert await ticker.tick() == 1
    assert (await row(app, rid)).status == REMINDER_SENT


async def test_no_safe_time_before_the_visit_is_missed(app, clock) -> None:
    # Safe only in the evening; the visit is at 17:00 local today, it is 10:00 now.
    contact = await person(app, clock, "a", safe="evening")
    rid = await visit(app, clock, contact, at=timedelta(hours=7), due=-TICK_S)
    assert await Ticker(app).tick() == 0
    missed = await row(app, rid)
    assert (missed.status, missed.reason) == (REMINDER_MISSED, "no_safe_time")


async def test_a_row_another_ticker_holds_waits_for_its_lease(app, clock) -> None:
    rid = await visit(app, clock, await person(app, clock, "a"), at=timedelta(days=1), due=-TICK_S)
    async with app.conversations.sessions() as session, session.begin():
        await session.execute(
            update(Reminder).where(Reminder.id == rid)
            .values(claimed_by="other", claimed_until=clock() + LEASE)
        )  # fmt: skip
    ticker = Ticker(app)
    assert await ticker.tick() == 0, "the other process is firing it"
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await ticker.tick() == 1, "its holder died: taken back"


async def test_a_person_gone_cancels_their_reminder(app, clock) -> None:
    rid = await visit(app, clock, None, at=timedelta(days=1), due=-TICK_S)
    assert await Ticker(app).tick() == 0
    assert (await row(app, rid)).status == REMINDER_CANCELLED


async def test_more_than_a_batch_fire_in_one_pass(app, clock) -> None:
    ids = [
        await visit(
            app, clock, await person(app, clock, f"p{n}"), at=timedelta(days=1), due=-TICK_S
        )
        for n in range(230)
    ]
    assert await Ticker(app).tick() == len(ids)
    assert await count(app, Reminder, Reminder.status == REMINDER_SENT) == len(ids)
    assert await count(app, OutboxItem) == ONE_MESSAGE * len(ids)


async def linked_caseworker(app: App, clock: FakeClock, chat: str) -> int:
    """A caseworker who linked their Telegram chat (db.caseworker_links, as /link does)."""
    async with app.conversations.sessions() as session, session.begin():
        worker = Caseworker(
            username=f"cw{chat}", password_hash="x", role="caseworker", team=CITY_TEAM,
            locale="en", active=True, created_at=clock(),
        )  # fmt: skip
        session.add(worker)
        await session.flush()
        code = await links.new_link_code(session, worker.id, clock())
        assert await links.link_telegram(session, code, "telegram", chat, clock()) is not None
        return worker.id


async def caseworker_reminder(app: App, clock: FakeClock, worker: int) -> int:
    """A visit tomorrow, and its caseworker's reminder due a tick ago."""
    rid = await visit(app, clock, None, at=timedelta(days=1), due=-TICK_S, kind=FOR_CASEWORKER)
    async with app.conversations.sessions() as session, session.begin():
        found = await session.get(Reminder, rid)
        assert found is not None and found.appointment_id is not None
        found.caseworker_id = worker
        case = HandoffRequest(
            urgent=False, reason="r", team=CITY_TEAM, assignee_id=worker, created_at=clock()
        )
        session.add(case)
        await session.flush()
        appt = await session.get(Appointment, found.appointment_id)
        assert appt is not None
        appt.case_id = case.id  # the visit of a case this caseworker holds
    return rid


async def test_caseworker_kinds_are_worded_by_alerts_and_sent_in_one_commit(app, clock) -> None:
    rid = await caseworker_reminder(app, clock, await linked_caseworker(app, clock, "900"))
    woken: list[int] = []
    app.conversations.wakers["telegram"] = lambda: woken.append(1)
    assert await Ticker(app).tick() == 1
    assert woken, "the sender was woken"
    assert (await row(app, rid)).status == REMINDER_SENT
    async with app.conversations.sessions() as session:
        items = list(await session.scalars(select(OutboxItem)))
    assert [(i.channel, i.chat_id, i.contact_id) for i in items] == [("telegram", "900", None)]
    assert "Reminder" in Reply.from_dict(items[0].payload["reply"]).text


async def test_a_failed_alert_queues_nothing_and_is_tried_after_the_lease(
    app, clock, monkeypatch
) -> None:
    rid = await caseworker_reminder(app, clock, await linked_caseworker(app, clock, "901"))
    real = alerts.fire

    async def fails_after_queueing(*args: Any) -> list[str]:
        await real(*args)
        raise RuntimeError("the process failed mid-way")

    monkeypatch.setattr(alerts, "fire", fails_after_queueing)
    ticker = Ticker(app)
    assert await ticker.tick() == 0
    assert await count(app, OutboxItem) == 0, "rolled back with its reminder"
    assert (await row(app, rid)).status == REMINDER_PENDING
    monkeypatch.setattr(alerts, "fire", real)
    assert await ticker.tick() == 0, "still leased to this pass"
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await ticker.tick() == 1
    assert await count(app, OutboxItem) == 1


async def test_run_ticks_at_once_without_apscheduler_misfire_grace(app, clock) -> None:
    import asyncio

    rid = await visit(app, clock, await person(app, clock, "a"), at=timedelta(days=1), due=-TICK_S)
    ticker = Ticker(app)
    task = asyncio.create_task(ticker.run())
    try:
        for _ in range(200):  # the first pass starts at once; waits on it, not on the clock
            if (await row(app, rid)).status == REMINDER_SENT:
                break
            await asyncio.sleep(0.05)
        assert (await row(app, rid)).status == REMINDER_SENT
        assert ticker._scheduler is not None
        job = ticker._scheduler.get_job("tick")
        assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (None, True, 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
