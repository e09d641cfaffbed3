"""The reminders repository on a real database: leased claims, outcomes only by the holder."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import (
    FOR_CASEWORKER,
    FOR_PERSON,
    MEETING,
    REMINDER_CANCELLED,
    REMINDER_MISSED,
    REMINDER_PENDING,
    REMINDER_SENT,
    URGENT_ALERT,
    VISIT,
    Appointment,
    Caseworker,
    Contact,
    HandoffRequest,
    Reminder,
)
from db.reminders import Reminders
from db.session import make_engine, make_sessionmaker

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
Sessions = async_sessionmaker[AsyncSession]


async def seed(sessions: Sessions) -> dict[str, int]:
    """One person with a case, one caseworker, a visit of the case and a meeting of team t2."""
    async with sessions() as s, s.begin():
        contact = Contact(
            channel="test", chat_key="k1", chat_id="1", created_at=NOW, last_seen_at=NOW
        )
        worker = Caseworker(username="lan", password_hash="x", role="caseworker", team="city",
                            locale="vi", active=True, created_at=NOW)  # fmt: skip
        s.add_all([contact, worker])
        await s.flush()
        case = HandoffRequest(contact_id=contact.id, urgent=False, reason="r", created_at=NOW)
        s.add(case)
        await s.flush()
        visit = Appointment(kind=VISIT, team="city", case_id=case.id, starts_at=NOW,
                            created_at=NOW, updated_at=NOW)  # fmt: skip
        meeting = Appointment(kind=MEETING, team="t2", starts_at=NOW, created_at=NOW,
                              updated_at=NOW)  # fmt: skip
        s.add_all([visit, meeting])
        await s.flush()
        return {"contact": contact.id, "worker": worker.id, "case": case.id,
                "visit": visit.id, "meeting": meeting.id}  # fmt: skip


async def add(sessions: Sessions, n: int, *, due: datetime = NOW, **values: object) -> list[int]:
    values.setdefault("kind", FOR_CASEWORKER)
    async with sessions() as s, s.begin():
        rows = [await Reminders(s).add(due_at=due, created_at=NOW, **values) for _ in range(n)]
        return [r.id for r in rows]


async def claim(sessions: Sessions, owner: str, at: datetime = NOW, limit: int = 10) -> list[int]:
    async with sessions() as s, s.begin():
        return [r.id for r in await Reminders(s).claim_due(at, owner, LEASE, limit)]


async def row(sessions: Sessions, reminder_id: int) -> Reminder:
    async with sessions() as s:
        found = await s.get(Reminder, reminder_id)
        assert found is not None
        return found


async def test_claim_due_takes_due_pending_rows_in_order_once(sessions: Sessions) -> None:
    later = await add(sessions, 1, due=NOW + timedelta(seconds=10))
    second = await add(sessions, 1, due=NOW - timedelta(minutes=1))
    first = await add(sessions, 1, due=NOW - timedelta(minutes=5))
    await add(sessions, 1, status=REMINDER_SENT)
    await add(sessions, 1, status=REMINDER_CANCELLED)
    assert await claim(sessions, "p1", limit=1) == first
    assert await claim(sessions, "p2") == second, "p1's lease keeps its row from p2"
    assert await claim(sessions, "p2") == []
    assert await claim(sessions, "p2", at=NOW + timedelta(seconds=15)) == later, "leases hold"
    held = await row(sessions, first[0])
    assert (held.claimed_by, held.claimed_until, held.status) == (
        "p1",
        NOW + LEASE,
        REMINDER_PENDING,
    )


async def test_an_expired_lease_lets_another_process_take_the_row(sessions: Sessions) -> None:
    ids = await add(sessions, 2)
    assert await claim(sessions, "dead") == ids
    assert await claim(sessions, "p2", at=NOW + LEASE - timedelta(seconds=1)) == []
    assert await claim(sessions, "p2", at=NOW + LEASE + timedelta(seconds=1)) == ids
    async with sessions() as s, s.begin():
        assert not await Reminders(s).finish(ids[0], "dead", REMINDER_SENT, NOW + LEASE * 2)
        assert await Reminders(s).finish(ids[0], "p2", REMINDER_SENT, NOW + LEASE * 2)


async def test_finish_only_by_the_owner_and_it_releases(sessions: Sessions) -> None:
    [rid] = await add(sessions, 1)
    assert await claim(sessions, "p1") == [rid]
    later = NOW + timedelta(seconds=5)
    async with sessions() as s, s.begin():
        assert not await Reminders(s).finish(rid, "p2", REMINDER_SENT, later)
    assert (await row(sessions, rid)).status == REMINDER_PENDING
    async with sessions() as s, s.begin():
        assert await Reminders(s).finish(rid, "p1", REMINDER_MISSED, later, reason="passed")
    done = await row(sessions, rid)
    assert (done.status, done.reason, done.fired_at) == (REMINDER_MISSED, "passed", later)
    assert (done.claimed_by, done.claimed_until) == (None, None)
    async with sessions() as s, s.begin():
        assert not await Reminders(s).finish(rid, "p1", REMINDER_SENT, later), "once only"
    assert await claim(sessions, "p3", at=NOW + timedelta(hours=1)) == []


async def test_a_cancelled_row_cannot_be_finished_by_its_old_holder(sessions: Sessions) -> None:
    ids = await seed(sessions)
    [rid] = await add(sessions, 1, kind=FOR_PERSON, contact_id=ids["contact"])
    assert await claim(sessions, "p1") == [rid]
    async with sessions() as s, s.begin():
        assert await Reminders(s).cancel_pending(reason="consent", contact_id=ids["contact"]) == 1
    async with sessions() as s, s.begin():
        assert not await Reminders(s).finish(rid, "p1", REMINDER_SENT, NOW)
    assert (await row(sessions, rid)).status == REMINDER_CANCELLED


async def test_two_concurrent_claimers_never_share_a_row(sessions: Sessions, db_url: str) -> None:
    ids = await add(sessions, 60)
    engine = make_engine(db_url)
    try:
        other = make_sessionmaker(engine)
        got = await asyncio.gather(
            *(claim(sessions if i % 2 else other, f"p{i}", limit=7) for i in range(12))
        )
    finally:
        await engine.dispose()
    taken = [rid for batch in got for rid in batch]
    assert sorted(taken) == ids, "every row once, none twice"


async def test_upcoming_and_missed_by_team_and_case(sessions: Sessions) -> None:
    ids = await seed(sessions)
    soon, later = NOW + timedelta(days=1), NOW + timedelta(days=2)
    visit_row = await add(sessions, 1, due=soon, appointment_id=ids["visit"], case_id=ids["case"],
                          occurrence_at=later)  # fmt: skip
    meeting_row = await add(sessions, 1, due=NOW, appointment_id=ids["meeting"], occurrence_at=soon)
    passed = await add(sessions, 1, due=NOW - timedelta(days=1), appointment_id=ids["visit"],
                       case_id=ids["case"], occurrence_at=NOW - timedelta(hours=1))  # fmt: skip
    missed = await add(sessions, 1, due=NOW - timedelta(hours=3), appointment_id=ids["visit"],
                       case_id=ids["case"], occurrence_at=NOW, status=REMINDER_MISSED)  # fmt: skip
    await add(sessions, 1, kind=URGENT_ALERT, case_id=ids["case"])  # never shown as upcoming
    async with sessions() as s:
        repo = Reminders(s)
        assert [r.id for r in await repo.upcoming(None, None, NOW, 10)] == meeting_row + visit_row
        assert [r.id for r in await repo.upcoming("city", None, NOW, 10)] == visit_row
        assert [r.id for r in await repo.upcoming("t2", None, NOW, 10)] == meeting_row
        assert [r.id for r in await repo.upcoming(None, ids["case"], NOW, 10)] == visit_row
        assert [r.id for r in await repo.upcoming(None, None, NOW, 1)] == meeting_row
        assert passed[0] not in [r.id for r in await repo.upcoming(None, None, NOW, 10)]
        assert [
            r.id for r in await repo.missed("city", ids["case"], NOW - timedelta(days=1), 10)
        ] == missed
        assert await repo.missed("t2", None, NOW - timedelta(days=1), 10) == []
        assert await repo.missed(None, None, NOW, 10) == [], "older than since"


async def test_for_caseworker_shows_fired_reminders_of_the_last_and_next_day(
    sessions: Sessions,
) -> None:
    ids = await seed(sessions)
    w = ids["worker"]
    fresh = await add(sessions, 1, caseworker_id=w, occurrence_at=NOW + timedelta(hours=20),
                      status=REMINDER_SENT, fired_at=NOW - timedelta(hours=4))  # fmt: skip
    await add(sessions, 1, caseworker_id=w, occurrence_at=NOW + timedelta(hours=2))  # not fired yet
    await add(sessions, 1, caseworker_id=w, occurrence_at=NOW - timedelta(days=3),
              status=REMINDER_SENT, fired_at=NOW - timedelta(days=4))  # fmt: skip
    async with sessions() as s:
        found = await Reminders(s).for_caseworker(w, NOW, timedelta(days=1))
        assert [r.id for r in found] == fresh
        assert await Reminders(s).for_caseworker(w + 1, NOW, timedelta(days=1)) == []


async def test_cancel_pending_needs_a_target(sessions: Sessions) -> None:
    ids = await seed(sessions)
    kept = await add(sessions, 1, appointment_id=ids["meeting"])
    gone = await add(sessions, 2, appointment_id=ids["visit"])
    async with sessions() as s, s.begin():
        assert (
            await Reminders(s).cancel_pending(reason="cancelled", appointment_id=ids["visit"]) == 2
        )
    async with sessions() as s:
        statuses = {r.id: r.status for r in await s.scalars(select(Reminder))}
    assert statuses == {kept[0]: REMINDER_PENDING, **dict.fromkeys(gone, REMINDER_CANCELLED)}
