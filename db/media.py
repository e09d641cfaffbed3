"""Files people send to a case (voice notes, photos): stored encrypted, within a size limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Media

MAX_BYTES = 10 * 1024 * 1024
"""The default limit (HOTLINE_MEDIA_MAX_BYTES); Telegram lets a bot fetch up to 20 MB."""
KINDS = frozenset(
    {"voice", "audio", "photo", "file", "sticker", "video", "video_note", "animation"}
)
"""What data["media"] of a MEDIA event says; anything else is stored as a file."""


class TooLarge(ValueError):
    """Over the limit: refused, so one file cannot fill the database."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes is over the limit of {limit}")
        self.size, self.limit = size, limit


class MediaStore:
    """Add and read media; the column type encrypts the bytes, the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, contact_id: int, kind: str, mime: str, data: bytes, now: datetime,
        limit: int = MAX_BYTES,
    ) -> Media:  # fmt: skip
        """Store the bytes and return the row with its id; TooLarge over the limit.

        An unknown kind becomes "file", so that a channel's new kind of media is not lost.
        """
        if len(data) > limit:
            raise TooLarge(len(data), limit)
        media = Media(
            contact_id=contact_id, kind=kind if kind in KINDS else "file", mime=mime[:64],
            size=len(data), data=data, created_at=now,
        )  # fmt: skip
        self._session.add(media)
        await self._session.flush()
        return media

    async def get(self, media_id: int) -> Media | None:
        """The row, its bytes decrypted on access, or None when it is gone (erased)."""
        return await self._session.get(Media, media_id)
