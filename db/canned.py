"""Canned replies: ready answers in Vietnamese and English that supervisors keep up to date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CannedReply

LANGS = ("vi", "en")
TITLE_LENGTH = 80
BODY_LENGTH = 2000


def _checked(lang: str, title: str, body: str) -> tuple[str, str, str]:
    """Refuse what the columns cannot hold, rather than cut a reply short."""
    title, body = title.strip(), body.strip()
    if lang not in LANGS:
        raise ValueError("lang")
    if not title or len(title) > TITLE_LENGTH:
        raise ValueError("title")
    if not body or len(body) > BODY_LENGTH:
        raise ValueError("body")
    return lang, title, body


class CannedReplies:
    """List, create, change and remove canned replies; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_lang(self, lang: str) -> list[CannedReply]:
        """The replies in one language, by title."""
        found = await self._session.scalars(
            select(CannedReply)
            .where(CannedReply.lang == lang)
            .order_by(CannedReply.title, CannedReply.id)
        )
        return list(found)

    async def all(self) -> list[CannedReply]:
        """Every reply, Vietnamese first, then by title."""
        found = await self._session.scalars(select(CannedReply))
        return sorted(found, key=lambda r: (LANGS.index(r.lang) if r.lang in LANGS else 9,
                                            r.title, r.id))  # fmt: skip

    async def get(self, reply_id: int) -> CannedReply | None:
        return await self._session.get(CannedReply, reply_id)

    async def create(
        self, lang: str, title: str, body: str, author_id: int | None, now: datetime
    ) -> CannedReply:
        """Add a reply; ValueError names the field that is empty, too long or unknown."""
        lang, title, body = _checked(lang, title, body)
        reply = CannedReply(lang=lang, title=title, body=body, updated_by=author_id, updated_at=now)
        self._session.add(reply)
        await self._session.flush()
        return reply

    async def update(
        self, reply_id: int, lang: str, title: str, body: str, author_id: int | None,
        now: datetime,
    ) -> CannedReply | None:  # fmt: skip
        """Change a reply; None if it no longer exists."""
        lang, title, body = _checked(lang, title, body)
        reply = await self.get(reply_id)
        if reply is None:
            return None
        reply.lang, reply.title, reply.body = lang, title, body
        reply.updated_by, reply.updated_at = author_id, now
        return reply

    async def delete(self, reply_id: int) -> bool:
        """Remove a reply; False if it was already gone."""
        result = await self._session.execute(delete(CannedReply).where(CannedReply.id == reply_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def canned_for(session: AsyncSession, lang: str) -> list[CannedReply]:
    """The canned replies a case view offers for a person's language (Vietnamese if unknown)."""
    return await CannedReplies(session).for_lang(lang if lang in LANGS else LANGS[0])
