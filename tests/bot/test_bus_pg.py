"""The change bus across processes: LISTEN/NOTIFY between engines, and after a lost connection."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.services.bus import CASE, MESSAGE_IN, Change, LocalBus
from bot.services.bus_pg import LISTENER, RESYNC, PgBus, make_bus
from db.session import make_engine


async def next_change(changes, within: float = 10) -> Change:
    return await asyncio.wait_for(anext(changes), within)


async def test_sqlite_has_the_in_process_bus(database_url: str) -> None:
    bus = make_bus(database_url)
    if database_url.startswith("sqlite"):
        assert isinstance(bus, LocalBus)
        return
    assert isinstance(bus, PgBus)


@pytest.fixture
async def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    return database_url


async def test_a_change_published_by_one_process_reaches_another(pg_url: str) -> None:
    here, there = PgBus(pg_url), PgBus(pg_url)  # each with its own connections
    try:
        async with there.subscribe() as theirs, here.subscribe() as ours:
            await here.publish(Change(MESSAGE_IN, case_id=7, contact_id=3, team="city"))
            expected = Change(MESSAGE_IN, case_id=7, contact_id=3, team="city")
            assert await next_change(theirs) == expected
            assert await next_change(ours) == expected, "the publisher's own subscribers too"
    finally:
        await here.close()
        await there.close()


async def test_the_listener_comes_back_after_its_connection_is_killed(pg_url: str) -> None:
    publisher, listener = PgBus(pg_url), PgBus(pg_url, check=0.2, reconnect=0.1)
    admin = make_engine(pg_url)
    try:
        async with listener.subscribe() as changes:
            async with admin.begin() as conn:
                killed = await conn.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :name AND datname = current_database()"
                    ),
                    {"name": LISTENER},
                )
            assert killed == 1
            assert (await next_change(changes)).kind == RESYNC, "told that it may have missed some"
            await publisher.publish(Change(CASE, case_id=9))
            assert await next_change(changes) == Change(CASE, case_id=9)
    finally:
        await admin.dispose()
        await publisher.close()
        await listener.close()
