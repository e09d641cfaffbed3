"""Media repository: the bytes come back whole, are never stored in clear, and have a limit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.crypto import get_cipher
from db.media import MediaStore, TooLarge
from db.models import Media
from db.repositories import Contacts, erase_contact

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
# Recognisable in a hex dump, and long enough not to appear by chance.
VOICE = b"OggS\x00\x02" + b"ZETA-VOICE-NOTE-IN-CLEAR " * 400


async def _contact(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as s, s.begin():
        return (await Contacts(s).get_or_create("telegram", "42", None, NOW)).id


async def test_add_then_get_returns_the_same_bytes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id = await _contact(sessions)
    async with sessions() as s, s.begin():
        media = await MediaStore(s).add(contact_id, "voice", "audio/ogg", VOICE, NOW)
        media_id = media.id
    assert media_id is not None
    async with sessions() as s:
        found = await MediaStore(s).get(media_id)
        assert found is not None
        assert (found.contact_id, found.kind, found.mime, found.size) == (
            contact_id, "voice", "audio/ogg", len(VOICE),
        )  # fmt: skip
        assert found.data == VOICE
        assert found.created_at == NOW
        assert await MediaStore(s).get(media_id + 1000) is None


async def test_the_column_holds_a_token_not_the_bytes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id = await _contact(sessions)
    async with sessions() as s, s.begin():
        await MediaStore(s).add(contact_id, "photo", "image/jpeg", VOICE, NOW)
    async with sessions() as s:
        [raw] = (await s.execute(text("SELECT data FROM media"))).scalars().all()
    raw = bytes(raw)
    assert b"ZETA-VOICE" not in raw and raw != VOICE
    assert get_cipher().decrypt(raw) == VOICE


async def test_the_database_file_does_not_contain_the_bytes(
    sessions: async_sessionmaker[AsyncSession], db_url: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("a file to read exists only with SQLite; the column test covers PostgreSQL")
    contact_id = await _contact(sessions)
    async with sessions() as s, s.begin():
        await MediaStore(s).add(contact_id, "voice", "audio/ogg", VOICE, NOW)
    path = Path(str(make_url(db_url).database))
    files = {p.name: p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()}
    assert files[path.name], "the database file is there"
    for name, content in files.items():
        assert b"ZETA-VOICE" not in content, f"{name} holds the bytes in clear"


async def test_over_the_limit_is_refused_and_nothing_is_stored(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id = await _contact(sessions)
    async with sessions() as s, s.begin():
        store = MediaStore(s)
        with pytest.raises(TooLarge) as refused:
            await store.add(contact_id, "file", "application/pdf", b"x" * 1001, NOW, limit=1000)
        assert (refused.value.size, refused.value.limit) == (1001, 1000)
        with pytest.raises(TooLarge):
            await store.add(contact_id, "file", "video/mp4", b"x" * (10 * 1024**2 + 1), NOW)
        exact = await store.add(contact_id, "file", "application/pdf", b"x" * 1000, NOW, limit=1000)
        assert exact.size == 1000
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Media)) == 1


async def test_an_unknown_kind_is_kept_as_a_file(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id = await _contact(sessions)
    async with sessions() as s, s.begin():
        media = await MediaStore(s).add(contact_id, "hologram-3d", "x/y", b"1", NOW)
        assert (media.kind, media.data) == ("file", b"1")


async def test_erasing_the_person_erases_their_media(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    contact_id = await _contact(sessions)
    async with sessions() as s, s.begin():
        media = await MediaStore(s).add(contact_id, "voice", "audio/ogg", VOICE, NOW)
        media_id = media.id
    async with sessions() as s, s.begin():
        await erase_contact(s, contact_id, NOW)
    async with sessions() as s:
        assert await MediaStore(s).get(media_id) is None
