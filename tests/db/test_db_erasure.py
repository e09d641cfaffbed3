"""Erasure: what remains in the tables and in the SQLite files after a person asks to be erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import HandoffRequest
from db.repositories import (
    Consents,
    Contacts,
    Declarations,
    Handoffs,
    Messages,
    States,
    erase_contact,
)
from db.session import checkpoint

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
SECRET = "Nguyễn Thị Thử Nghiệm Zeta"
CHAT = "chat-zeta-7319"
OWNED = ("conversation_states", "consents", "declarations", "messages")

Sessions = async_sessionmaker[AsyncSession]


async def _person(s: AsyncSession, chat_id: str, *, handoff: bool) -> int:
    contact = await Contacts(s).get_or_create("telegram", chat_id, "u1", NOW)
    await States(s).save(contact.id, {"name": SECRET}, NOW)
    await Consents(s).record(contact.id, "record", True, NOW)
    await Declarations(s).add(contact.id, f"HP-{chat_id[-4:]}", "decl", {"name": SECRET}, "HP", NOW)
    await Messages(s).add(contact.id, "in", SECRET, NOW)
    if handoff:
        request = await Handoffs(s).open(contact.id, True, "danger", NOW)
        request.note = f"gọi lại cho {SECRET}"
    return contact.id


async def _rows(s: AsyncSession, table: str, contact_id: int) -> int:
    sql = text(f"SELECT count(*) FROM {table} WHERE contact_id = :c")
    return int(await s.scalar(sql, {"c": contact_id}) or 0)


async def _contact_count(s: AsyncSession, contact_id: int) -> int:
    sql = text("SELECT count(*) FROM contacts WHERE id = :c")
    return int(await s.scalar(sql, {"c": contact_id}) or 0)


async def test_erase_without_handoff_deletes_everything(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        gone = await _person(s, "chat-0001", handoff=False)
        kept = await _person(s, "chat-0002", handoff=False)
    async with sessions() as s, s.begin():
        assert await erase_contact(s, gone, LATER) is False
    async with sessions() as s:
        assert await _contact_count(s, gone) == 0
        assert [await _rows(s, t, gone) for t in OWNED] == [0, 0, 0, 0]
        assert await _contact_count(s, kept) == 1, "nobody else is touched"
        assert [await _rows(s, t, kept) for t in OWNED] == [1, 1, 1, 1]


async def test_erase_with_handoff_keeps_it_anonymised(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        contact_id = await _person(s, "chat-0003", handoff=True)
    async with sessions() as s, s.begin():
        assert await erase_contact(s, contact_id, LATER) is True
    async with sessions() as s:
        assert await _contact_count(s, contact_id) == 0
        assert [await _rows(s, t, contact_id) for t in OWNED] == [0, 0, 0, 0]
        rows = (await s.execute(text("SELECT contact_id, note FROM handoff_requests"))).all()
        assert [tuple(r) for r in rows] == [(None, None)]
        [request] = (await s.execute(text("SELECT id FROM handoff_requests"))).scalars()
        anonymised = await s.get(HandoffRequest, request)
        assert anonymised is not None and anonymised.anonymised_at == LATER
        assert (anonymised.urgent, anonymised.reason) == (True, "danger")


async def test_erasing_an_unknown_contact_is_harmless(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        assert await erase_contact(s, 999_999, NOW) is False


async def test_database_cascades_on_its_own(sessions: Sessions) -> None:
    """The foreign keys themselves clean up, e.g. when a script deletes a contact in SQL."""
    async with sessions() as s, s.begin():
        contact_id = await _person(s, "chat-0004", handoff=True)
    async with sessions() as s, s.begin():
        await s.execute(text("DELETE FROM contacts WHERE id = :c"), {"c": contact_id})
    async with sessions() as s:
        assert [await _rows(s, t, contact_id) for t in OWNED] == [0, 0, 0, 0]
        orphans = await s.scalar(
            text("SELECT count(*) FROM handoff_requests WHERE contact_id IS NULL")
        )
        assert orphans == 1


def _files(db_file: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db_file.parent.glob(db_file.name + "*")))


async def test_erased_data_leaves_the_sqlite_files(
    engine: AsyncEngine, sessions: Sessions, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("the file check is about SQLite's database and WAL files")
    assert engine.url.database is not None
    db_file = Path(engine.url.database)
    async with sessions() as s, s.begin():
        contact_id = await _person(s, CHAT, handoff=True)
    async with sessions() as s:
        tokens: list[str] = []
        for column, table in [
            ("state", "conversation_states"),
            ("answers", "declarations"),
            ("body", "messages"),
            ("note", "handoff_requests"),
            ("chat_id", "contacts"),
            ("chat_key", "contacts"),
        ]:
            tokens += (await s.execute(text(f"SELECT {column} FROM {table}"))).scalars()
    before = _files(db_file)
    assert (db_file.parent / (db_file.name + "-wal")).exists()
    assert CHAT.encode() not in before, "only its keyed hash and its token are stored"
    assert all(t.encode() in before for t in tokens) and len(tokens) == 6

    async with sessions() as s, s.begin():
        await erase_contact(s, contact_id, LATER)
    assert await checkpoint(engine)

    after = _files(db_file)
    for needle in [SECRET.encode(), CHAT.encode(), *(t.encode() for t in tokens)]:
        assert needle not in after


async def test_checkpoint_is_a_no_op_elsewhere(engine: AsyncEngine) -> None:
    assert await checkpoint(engine) is True
