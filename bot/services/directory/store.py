"""The directory in memory: loaded from the database, searched by place, commune and service."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.directory.gazetteer import Gazetteer
from bot.services.directory.geo import GridIndex, haversine_km
from db.directory import Places
from db.models import Place
from dialogs.directory import Page, PlaceView, Service, Ward

MAX_RESULTS = 50
"""Nobody reads further; it also bounds the work per search."""
HOTLINE_ALWAYS = "hotline-111"
NATIONAL = ("hotline-111", "hotline-113")
"""What a person outside the area is given instead of offices hundreds of kilometres away."""
OUTSIDE_KM = 25.0
"""Farther than this from every place with a position, a point is outside the area covered:
every commune has its People's Committee in the directory, so inside it one is always close."""
SERVICE_KM = 50.0
"""A place offering the chosen service farther than this is not "near"; the committee is."""
COMMITTEE = "ubnd-"
"""Key prefix of the commune People's Committees (seed.py, kept by CSV import and export):
where anyone can report."""


@dataclass(frozen=True)
class Entry:
    """A place as indexed: its view, its commune and its kind."""

    view: PlaceView
    ward_code: str
    kind: str


def to_entry(place: Place) -> Entry:
    """A database row as an index entry."""
    view = PlaceView(
        key=place.key,
        name_vi=place.name_vi,
        name_en=place.name_en,
        services=tuple(place.services.split()),
        address=place.address,
        phones=tuple(p.strip() for p in place.phones.split(";") if p.strip()),
        hours=place.hours,
        lat=place.lat,
        lon=place.lon,
        verified=place.verified,
        ward_centre=place.precision == "ward_centre",
    )
    return Entry(view, place.ward_code, place.kind)


class Directory:
    """Implements the conversation's DirectoryPort, and serves the public page."""

    def __init__(self, gazetteer: Gazetteer, entries: Iterable[Entry] = ()) -> None:
        self.gazetteer = gazetteer
        self.load(entries)

    def load(self, entries: Iterable[Entry]) -> None:
        """Rebuild the indexes (after start-up or an import)."""
        self.entries = list(entries)
        self.grid = GridIndex()
        self.by_service: defaultdict[str, GridIndex] = defaultdict(GridIndex)
        self.by_ward: defaultdict[str, list[int]] = defaultdict(list)
        self.citywide: list[int] = []
        self.committees = GridIndex()
        self.hotlines = tuple(e.view for e in self.entries if e.kind == "hotline")
        for i, entry in enumerate(self.entries):
            view = entry.view
            if entry.kind == "hotline":
                continue
            if view.lat is None or view.lon is None:
                self.citywide.append(i)
                continue
            self.grid.add(i, view.lat, view.lon)
            if view.key.startswith(COMMITTEE):
                self.committees.add(i, view.lat, view.lon)
            for service in view.services:
                self.by_service[service].add(i, view.lat, view.lon)
            if entry.ward_code:
                self.by_ward[entry.ward_code].append(i)

    async def reload(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Read every place from the database."""
        async with sessions() as session:
            rows = await Places(session).all()
        self.load(to_entry(p) for p in rows)

    def resolve(self, text: str) -> list[Ward]:
        """Typed commune names, new or old, to new communes."""
        return self.gazetteer.resolve(text)

    def ward(self, code: str) -> Ward | None:
        """One commune by code."""
        return self.gazetteer.ward(code)

    def _ranked(self, lat: float, lon: float, service: str | None, first: list[int]) -> list[int]:
        """Without a service: first, then the rest nearby. With one: only what offers it."""
        seen = set(first)
        order = list(first)

        def take(pool: GridIndex | None, within: float = math.inf) -> None:
            if pool is not None and len(order) < MAX_RESULTS:
                wanted = MAX_RESULTS - len(order)
                for _d, i in pool.nearest(lat, lon, wanted, lambda i: i not in seen, within):
                    seen.add(i)
                    order.append(i)

        if not service:
            take(self.grid)
            return order
        take(self.by_service.get(service), SERVICE_KM)
        order.extend(i for i in self.citywide if service in self.entries[i].view.services)
        return order[:MAX_RESULTS]

    def _committees(self, lat: float, lon: float) -> list[int]:
        """The nearest People's Committees (from a commune's centre, its own comes first)."""
        return [i for _d, i in self.committees.nearest(lat, lon, MAX_RESULTS)]

    def outside(self, lat: float, lon: float) -> bool:
        """Whether a point is beyond the area the directory covers."""
        nearest = self.grid.nearest(lat, lon, 1)
        return bool(nearest) and nearest[0][0] > OUTSIDE_KM

    def area(self) -> str:
        """The province covered, as people say it: "Hải Phòng"."""
        first = next(iter(self.gazetteer.wards.values()), None)
        return re.sub(r"^(Thành phố|Tỉnh)\s+", "", first.province if first else "")

    def _page(
        self, ids: list[int], lat: float, lon: float, offset: int, limit: int, fallback: bool
    ) -> Page:
        """One page, each place with its distance from the point."""
        views = []
        for i in ids[offset : offset + limit]:
            view = self.entries[i].view
            if view.lat is not None and view.lon is not None:
                view = replace(view, distance_km=haversine_km(lat, lon, view.lat, view.lon))
            views.append(view)
        always = tuple(h for h in self.hotlines if h.key == HOTLINE_ALWAYS)
        return Page(tuple(views), len(ids), offset, always, fallback=fallback)

    def _search(
        self, lat: float, lon: float, service: str | None, first: list[int], offset: int,
        limit: int,
    ) -> Page:  # fmt: skip
        """Ranked places; with a service that nothing near offers, the nearest committees."""
        service = service if service in set(Service) else None
        ids = self._ranked(lat, lon, service, first)
        if service and not ids:
            return self._page(self._committees(lat, lon), lat, lon, offset, limit, True)
        return self._page(ids, lat, lon, offset, limit, False)

    def near(self, lat: float, lon: float, service: str | None, offset: int, limit: int) -> Page:
        """Nearest to a shared location; outside the area, the national hotlines instead."""
        if self.outside(lat, lon):
            national = tuple(h for key in NATIONAL for h in self.hotlines if h.key == key)
            return Page((), 0, 0, national, outside=self.area())
        return self._search(lat, lon, service, [], offset, limit)

    def in_ward(self, code: str, service: str | None, offset: int, limit: int) -> Page:
        """A commune's own places first (with a service, only those offering it), then nearby."""
        ward = self.gazetteer.ward(code)
        if ward is None or ward.lat is None or ward.lon is None:
            return Page((), 0, 0, tuple(h for h in self.hotlines if h.key == HOTLINE_ALWAYS))
        own = [
            i
            for i in self.by_ward.get(code, [])
            if not service or service in self.entries[i].view.services
        ]
        return self._search(ward.lat, ward.lon, service, own, offset, limit)
