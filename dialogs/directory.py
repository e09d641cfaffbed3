"""What the conversation needs from the support directory, as plain data and one protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Service(StrEnum):
    """Kinds of help a place offers; the codes appear in CSV files and URLs."""

    REPORT = "report"
    SHELTER = "shelter"
    MEDICAL = "medical"
    PSYCHOLOGICAL = "psychological"
    LEGAL = "legal"
    SCHOOLING = "schooling"
    JOB = "job"
    LOAN = "loan"
    HOTLINE = "hotline"


@dataclass(frozen=True)
class PlaceView:
    """One result, with both names so each reader sees their language."""

    key: str
    name_vi: str
    name_en: str
    services: tuple[str, ...]
    address: str = ""
    phones: tuple[str, ...] = ()
    hours: str = ""
    lat: float | None = None
    lon: float | None = None
    verified: bool = False
    ward_centre: bool = False
    """The coordinates are the commune's centre, not the building: the address needs checking."""
    distance_km: float | None = None

    def name(self, lang: str) -> str:
        """The name in lang, falling back to Vietnamese."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi


@dataclass(frozen=True)
class Ward:
    """A post-2025 commune-level unit; `typed_as` names the old unit a person wrote, if any."""

    code: str
    name: str
    province: str
    lat: float | None = None
    lon: float | None = None
    typed_as: str | None = None


@dataclass(frozen=True)
class Page:
    """A page of results, and how many there are in all."""

    places: tuple[PlaceView, ...]
    total: int
    offset: int
    hotlines: tuple[PlaceView, ...] = field(default=())
    fallback: bool = False
    """Nothing near offers the chosen service: these are the nearest People's Committees."""
    outside: str = ""
    """The point is outside the area covered, named here ("Hải Phòng"); no places, only
    the national hotlines."""


class DirectoryPort(Protocol):
    """The directory as the engine sees it; in memory, so plain calls."""

    def resolve(self, text: str) -> list[Ward]:
        """Wards that the typed name may mean: none, one, or candidates to choose from."""

    def ward(self, code: str) -> Ward | None:
        """One ward by code."""

    def near(self, lat: float, lon: float, service: str | None, offset: int, limit: int) -> Page:
        """Places nearest to a point (only those offering the service, if one is chosen)."""

    def in_ward(self, code: str, service: str | None, offset: int, limit: int) -> Page:
        """Places for a ward: its own first, then the nearest around its centre."""
