"""Repositories: dedupe, contacts, state, consent, declarations, the queue, messages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import Contact, HandoffRequest
from db.repositories import (
    Consents,
    Contacts,
    Declarations,
    Handoffs,
    InboundLog,
    Messages,
    States,
)

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=5)

Sessions = async_sessionmaker[AsyncSession]


async def test_inbound_duplicate_is_reported_and_the_transaction_survives(
    sessions: Sessions,
) -> None:
    async with sessions() as s, s.begin():
        log = InboundLog(s)
        contact = await Contacts(s).get_or_create("telegram", "1", None, NOW)
        assert await log.first_time("telegram", "upd-1", NOW)
        assert not await log.first_time("telegram", "upd-1", NOW)
        assert await log.first_time("zalo", "upd-1", NOW), "ids are per channel"
        # On PostgreSQL a failed INSERT without a savepoint would abort all of this.
        await States(s).save(contact.id, {"step": 1}, NOW)

    async with sessions() as s, s.begin():
        assert not await InboundLog(s).first_time("telegram", "upd-1", LATER)
        assert await States(s).load(contact.id) == {"step": 1}
        count = await s.scalar(text("SELECT count(*) FROM inbound_events"))
    assert count == 2


async def test_get_or_create_returns_the_same_contact(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        first = await Contacts(s).get_or_create("zalo", "c1", None, NOW, source="poster-hp")
    async with sessions() as s, s.begin():
        again = await Contacts(s).get_or_create("zalo", "c1", "u9", LATER, source="other")
    async with sessions() as s:
        [row] = (await s.scalars(select(Contact))).all()
    assert again.id == first.id == row.id
    assert (row.created_at, row.last_seen_at) == (NOW, LATER)
    assert (row.user_id, row.source, row.urgent, row.locale) == ("u9", "poster-hp", False, None)


async def _wait_for_lock_waiter(engine: AsyncEngine) -> None:
    """Until another PostgreSQL session waits on a lock (no fixed sleep)."""
    for _ in range(500):
        async with engine.connect() as conn:
            waiting = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second transaction never blocked")


async def test_get_or_create_race_yields_one_contact(
    sessions: Sessions, engine: AsyncEngine, backend: str
) -> None:
    async def second() -> int:
        async with sessions() as s, s.begin():
            return (await Contacts(s).get_or_create("telegram", "race", None, LATER)).id

    async with sessions() as s:
        first = await Contacts(s).get_or_create("telegram", "race", None, NOW)
        # The second one reads before the first commits, and its INSERT then collides
        # (PostgreSQL); on SQLite it waits for the write lock instead.
        task = asyncio.create_task(second())
        if backend == "postgresql":
            await _wait_for_lock_waiter(engine)
        await s.commit()
    assert await task == first.id
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Contact)) == 1


async def test_locale_and_urgent_flag(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("web", "w1", None, NOW)
        await Contacts(s).set_locale(contact.id, "en")
        await Contacts(s).set_source(contact.id, "poster-hp")
        await Contacts(s).mark_urgent(contact.id)
    async with sessions() as s:
        row = await Contacts(s).get(contact.id)
        assert await Contacts(s).get(contact.id + 1) is None
    assert row is not None and (row.locale, row.source, row.urgent) == ("en", "poster-hp", True)


async def test_state_changed_in_place_is_saved(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("web", "w1", None, NOW)
        states = States(s)
        assert await states.load(contact.id) is None
        await states.save(contact.id, {"answers": {"name": "Lan"}}, NOW)
    async with sessions() as s, s.begin():
        state = await States(s).load(contact.id)
        assert state is not None
        state["answers"]["age"] = 19
        await States(s).save(contact.id, state, LATER)
    async with sessions() as s:
        assert await States(s).load(contact.id) == {"answers": {"name": "Lan", "age": 19}}


async def test_latest_consent_per_purpose_wins(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("web", "w1", None, NOW)
        consents = Consents(s)
        assert await consents.latest(contact.id) == {}
        await consents.record(contact.id, "record", True, NOW)
        await consents.record(contact.id, "share", True, NOW)
        await consents.record(contact.id, "share", False, LATER)  # withdrawn
    async with sessions() as s:
        assert await Consents(s).latest(contact.id) == {"record": True, "share": False}


async def test_declaration_refs_are_unique(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("web", "w1", None, NOW)
        declarations = Declarations(s)
        assert not await declarations.ref_exists("HP-AB12")
        await declarations.add(contact.id, "HP-AB12", "self_declaration", {"a": 1}, "HP", NOW)
        assert await declarations.ref_exists("HP-AB12")
        anonymous = await declarations.add(None, "HP-CD34", "self_declaration", {}, "HP", NOW)
        assert anonymous.id is not None
    async with sessions() as s:
        found = await Declarations(s).get_by_ref("HP-AB12")
        assert found is not None
        assert (found.contact_id, found.answers, found.created_at) == (contact.id, {"a": 1}, NOW)
        assert await Declarations(s).get_by_ref("HP-NONE") is None
        assert await Declarations(s).refs_for(contact.id) == ["HP-AB12"]
        with pytest.raises(IntegrityError):
            await Declarations(s).add(None, "HP-AB12", "self_declaration", {}, "HP", NOW)


async def test_second_handoff_upgrades_the_open_one(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("telegram", "1", None, NOW)
        handoffs = Handoffs(s)
        assert await handoffs.open_for(contact.id) is None
        first = await handoffs.open(contact.id, False, "requested", NOW)
        again = await handoffs.open(contact.id, False, "requested", LATER)
        urgent = await handoffs.open(contact.id, True, "danger", LATER)
        calmer = await handoffs.open(contact.id, False, "requested", LATER)
    assert first.id == again.id == urgent.id == calmer.id
    async with sessions() as s, s.begin():
        [row] = (await s.scalars(select(HandoffRequest))).all()
        assert (row.urgent, row.reason, row.status, row.created_at) == (
            True,
            "danger",
            "waiting",
            NOW,
        )
        row.status = "closed"
        reopened = await Handoffs(s).open(contact.id, False, "requested", LATER)
    assert reopened.id != first.id and not reopened.urgent


async def test_messages(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("telegram", "1", None, NOW)
        await Messages(s).add(contact.id, "in", "xin chào", NOW)
        with pytest.raises(ValueError, match="direction"):
            await Messages(s).add(contact.id, "sideways", "x", NOW)
    async with sessions() as s:
        rows = (await s.execute(text("SELECT direction FROM messages"))).scalars().all()
    assert rows == ["in"]


async def test_times_come_back_as_utc(sessions: Sessions) -> None:
    hanoi = timezone(timedelta(hours=7))
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("web", "w1", None, NOW.astimezone(hanoi))
    async with sessions() as s:
        row = await s.get(Contact, contact.id)
        assert row is not None
        assert row.created_at == NOW and row.created_at.utcoffset() == timedelta(0)
    async with sessions() as s:
        with pytest.raises(StatementError, match="naive datetime"):
            await Contacts(s).get_or_create("web", "w2", None, datetime(2026, 1, 1))
