"""Files people send to a case (voice notes, photos): stored encrypted, within a size limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Media

MAX_BYTES = 10 * 1024 * 1024


class TooLarge(ValueError):
    """Over the limit: refused, so one file cannot fill the database."""


class MediaStore:
    """Add and read media; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, contact_id: int, kind: str, mime: str, data: bytes, now: datetime,
        limit: int = MAX_BYTES,
    ) -> Media:  # fmt: skip
        """Store the bytes (encrypted by the column type) and return the row with its id."""
        if len(data) > limit:
            raise TooLarge(f"{len(data)} bytes is over the limit of {limit}")
        media = Media(
            contact_id=contact_id, kind=kind[:12], mime=mime[:64], size=len(data), data=data,
            created_at=now,
        )  # fmt: skip
        self._session.add(media)
        await self._session.flush()
        return media

    async def get(self, media_id: int) -> Media | None:
        """The row, decrypted on access, or None."""
        return await self._session.get(Media, media_id)
