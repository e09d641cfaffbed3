"""Queries on the directory of places; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Place

FIELDS = (
    "key", "kind", "name_vi", "name_en", "services", "address", "ward_code", "province",
    "lat", "lon", "precision", "phones", "hours", "languages", "source", "verified_on", "verified",
)  # fmt: skip
"""The columns a place is written and read with, in CSV order."""


class Places:
    """The directory table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self) -> int:
        """How many places and hotlines there are."""
        return int(await self._session.scalar(select(func.count()).select_from(Place)) or 0)

    async def all(self) -> list[Place]:
        """Every entry, in key order (stable exports)."""
        return list(await self._session.scalars(select(Place).order_by(Place.key)))

    async def upsert(self, rows: Iterable[Mapping[str, Any]], now: datetime) -> tuple[int, int]:
        """Insert new keys and update known ones; returns (created, updated)."""
        existing = {p.key: p for p in await self.all()}
        created = updated = 0
        for row in rows:
            values = {f: row[f] for f in FIELDS if f in row}
            place = existing.get(values["key"])
            if place is None:
                place = Place(**values, updated_at=now)
                self._session.add(place)
                existing[place.key] = place
                created += 1
            elif any(getattr(place, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(place, f, v)
                place.updated_at = now
                updated += 1
        await self._session.flush()
        return created, updated
