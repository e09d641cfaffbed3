"""Claims on the outbox: concurrent claimers share the work, leases expire, chats keep order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import PENDING, SENDING, SENT, OutboxItem
from db.outbox import MESSAGE, Outbox
from db.session import make_engine, make_sessionmaker

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=10)


async def queue(sessions: async_sessionmaker[AsyncSession], items: list[tuple[str, int]]) -> None:
    async with sessions() as session, session.begin():
        for chat, n in items:
            Outbox(session).add("test", chat, None, MESSAGE, {"n": n}, NOW)


async def claim(
    sessions: async_sessionmaker[AsyncSession], owner: str, at: datetime = NOW, limit: int = 10
) -> list[tuple[str, int]]:
    async with sessions() as session, session.begin():
        items = await Outbox(session).claim_heads("test", at, limit, owner, LEASE)
        return [(i.chat_id, i.payload["n"]) for i in items]


async def finish(sessions: async_sessionmaker[AsyncSession], owner: str) -> int:
    """Record every item owner holds as sent, as the sender does."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(OutboxItem)
            .where(OutboxItem.claimed_by == owner, OutboxItem.status == SENDING)
            .values(status=SENT, claimed_by=None, claimed_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with sessions() as session:
        found = await session.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [(r.status, r.claimed_by) for r in found]


async def test_a_chat_gives_its_next_item_only_once_the_one_before_is_done(sessions) -> None:
    await queue(sessions, [("a", 1), ("b", 1), ("a", 2), ("a", 3)])
    assert await claim(sessions, "p1") == [("a", 1), ("b", 1)]
    assert await claim(sessions, "p2") == [], "a2 waits behind a1, which p1 is sending"
    assert await finish(sessions, "p1") == 2
    assert await claim(sessions, "p2") == [("a", 2)]
    async with sessions() as session, session.begin():
        # a2 is to be retried later: a3 still waits behind it.
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.claimed_by == "p2")
            .values(status=PENDING, claimed_by=None, next_attempt_at=NOW + timedelta(minutes=1))
        )
    assert await claim(sessions, "p1") == []
    assert await claim(sessions, "p1", at=NOW + timedelta(minutes=2)) == [("a", 2)]


async def test_only_expired_leases_are_taken_back(sessions) -> None:
    await queue(sessions, [("a", 1), ("b", 1)])
    assert await claim(sessions, "dead", limit=1) == [("a", 1)]
    assert await claim(sessions, "alive", limit=1) == [("b", 1)]
    later = NOW + timedelta(seconds=5)
    async with sessions() as session, session.begin():
        assert await Outbox(session).renew({2}, "alive", later, LEASE) == {2}
        assert await Outbox(session).renew({1}, "alive", later, LEASE) == set(), "not its own"
        assert await Outbox(session).recover("test", later) == 0, "both leases still run"
    async with sessions() as session, session.begin():
        assert await Outbox(session).recover("test", NOW + timedelta(seconds=11)) == 1
    assert await rows(sessions) == [(PENDING, None), (SENDING, "alive")]
    assert await claim(sessions, "alive", at=NOW + timedelta(seconds=11)) == [("a", 1)]
    async with sessions() as session, session.begin():
        assert await Outbox(session).held(1, "dead") is None, "its outcome would be dropped"
        assert await Outbox(session).held(1, "alive") is not None


async def test_own_sends_in_progress_are_never_taken_back(sessions) -> None:
    await queue(sessions, [("a", 1)])
    await claim(sessions, "me")
    async with sessions() as session, session.begin():
        assert await Outbox(session).recover("test", NOW + timedelta(minutes=5), keep={1}) == 0
    assert await rows(sessions) == [(SENDING, "me")]


async def test_two_claimers_at_once_never_take_the_same_item(db_url, engine, sessions) -> None:
    chats = [f"c{c}" for c in range(40)]
    await queue(sessions, [(chat, n) for n in range(5) for chat in chats])
    claimed: list[tuple[str, tuple[str, int]]] = []

    async def claimer(owner: str) -> None:
        own = make_engine(db_url)  # its own connections, as another process would have
        sessions = make_sessionmaker(own)
        try:
            idle = 0
            while idle < 3:
                got = await claim(sessions, owner, limit=7)
                claimed.extend((owner, item) for item in got)
                idle = 0 if got else idle + 1
                await asyncio.sleep(0)
                await finish(sessions, owner)
        finally:
            await own.dispose()

    await asyncio.gather(*(claimer(f"p{i}") for i in range(4)))
    items = [item for _owner, item in claimed]
    assert len(items) == 200 and len(set(items)) == 200, "each item claimed exactly once"
    assert len({owner for owner, _item in claimed}) > 1, "the work was shared"
    for chat in chats:
        assert [n for c, n in items if c == chat] == list(range(5)), "each chat in order"
