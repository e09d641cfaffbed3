"""Seed entries: national hotlines, the People's Committee of every commune, city agencies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from vietnam_provinces import ProvinceCode
from vietnam_provinces import Ward as ProvinceWard

from bot.services.directory.gazetteer import PROVINCES, Gazetteer

UNIT_EN = {"Xã": "Commune", "Phường": "Ward", "Đặc khu": "Special Zone"}
SOURCE_UBND = (
    "Name and code: vietnam-provinces (2025 units); position: ward centre from "
    "vietnamadminunits. Centre of the commune, address to verify."
)


def english_unit(name: str) -> str:
    """'Xã Kiến Hải' -> 'Kiến Hải Commune'."""
    for vi, en in UNIT_EN.items():
        if name.startswith(vi + " "):
            return f"{name.removeprefix(vi + ' ')} {en}"
    return name


def _blank(key: str, kind: str) -> dict[str, Any]:
    """Every field, empty and unverified."""
    return {
        "key": key, "kind": kind, "name_vi": "", "name_en": "", "services": "", "address": "",
        "ward_code": "", "province": "", "lat": None, "lon": None, "precision": "exact",
        "phones": "", "hours": "", "languages": "vi", "source": "", "verified_on": None,
        "verified": False,
    }  # fmt: skip


def seed_rows(gazetteer: Gazetteer, province: str = "HP") -> list[dict[str, Any]]:
    """All seed entries, ready for Places.upsert."""
    raw = yaml.safe_load(
        Path(str(resources.files("bot.services.directory") / "seed.yaml")).read_text("utf-8")
    )
    rows = []
    for item in raw["hotlines"]:
        rows.append(_blank(item["key"], "hotline") | item)
    code = PROVINCES[province][0]
    for ward in ProvinceWard.iter_by_province(ProvinceCode(int(code))):
        centre = gazetteer.ward(str(ward.code))
        rows.append(
            _blank(f"ubnd-{ward.code}", "place")
            | {
                "name_vi": f"Ủy ban nhân dân {ward.name}",
                "name_en": f"People's Committee of {english_unit(ward.name)}",
                "services": "report",
                "ward_code": str(ward.code),
                "province": code,
                "lat": centre.lat if centre else None,
                "lon": centre.lon if centre else None,
                "precision": "ward_centre",
                "source": SOURCE_UBND,
            }
        )
    for item in raw["agencies"]:
        rows.append(
            _blank(item["key"], "agency")
            | item
            | {"province": code, "source": "Name only; address and phone to verify."}
        )
    return rows
