"""Canned replies: per language, created, changed and removed; refused when empty or too long."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.canned import BODY_LENGTH, CannedReplies, canned_for

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def test_replies_are_listed_per_language_and_can_be_changed_and_removed(
    sessions: Sessions,
) -> None:
    async with sessions() as s, s.begin():
        replies = CannedReplies(s)
        greet = await replies.create("vi", "Chào hỏi", "Chào bạn, mình là cán bộ.", None, NOW)
        await replies.create("vi", "Ấn định", "Bạn có an toàn không?", None, NOW)
        await replies.create("en", "Greeting", "Hello, I am a caseworker.", None, NOW)
    async with sessions() as s:
        assert [r.title for r in await canned_for(s, "vi")] == ["Chào hỏi", "Ấn định"]
        assert [r.body for r in await canned_for(s, "en")] == ["Hello, I am a caseworker."]
        assert [r.title for r in await canned_for(s, "xx")] == ["Chào hỏi", "Ấn định"]
    async with sessions() as s, s.begin():
        changed = await CannedReplies(s).update(greet.id, "vi", "Chào", "Xin chào!", None, NOW)
        assert changed is not None
    async with sessions() as s, s.begin():
        assert (await CannedReplies(s).get(greet.id)).body == "Xin chào!"  # type: ignore[union-attr]
        assert await CannedReplies(s).delete(greet.id)
        assert not await CannedReplies(s).delete(greet.id)
        assert await CannedReplies(s).update(greet.id, "vi", "a", "b", None, NOW) is None
    async with sessions() as s:
        assert [r.title for r in await canned_for(s, "vi")] == ["Ấn định"]


@pytest.mark.parametrize(
    ("lang", "title", "body", "field"),
    [
        ("fr", "t", "b", "lang"),
        ("vi", "  ", "b", "title"),
        ("vi", "t", "x" * (BODY_LENGTH + 1), "body"),
    ],
)
async def test_bad_replies_are_refused(
    sessions: Sessions, lang: str, title: str, body: str, field: str
) -> None:
    async with sessions() as s, s.begin():
        with pytest.raises(ValueError, match=field):
            await CannedReplies(s).create(lang, title, body, None, NOW)
