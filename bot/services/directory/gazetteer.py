"""Commune names as people type them, new (2025) or old, resolved to the new commune."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from vietnam_provinces import ProvinceCode
from vietnam_provinces import Ward as ProvinceWard
from vietnamadminunits import convert_address
from vietnamadminunits.database import query

from dialogs.directory import Ward
from dialogs.text import fold, nfc

PROVINCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "HP": ("31", ("31", "30")),
}
"""Our short code -> (post-2025 province code, pre-2025 province codes merged into it)."""

ABBREVIATIONS = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}
UNIT_WORDS = frozenset(
    [
        "xa",
        "phuong",
        "thi",
        "tran",
        "huyen",
        "quan",
        "thanh",
        "pho",
        "dac",
        "khu",
        "tinh",
        "ubnd",
        "uy",
        "ban",
        "nhan",
        "dan",
    ]
)
"""Words that name a kind of unit; a run of words made only of these (and numbers) names
nothing: "phường 1" or "quận 1" must not match a commune that has "Phượng" in its name."""
STREET = re.compile(
    r"^(so nha|so|duong|pho|ngo|ngach|hem|kiet|to dan pho|to|thon|xom|ap|ban|khu pho)\b"
)
"""A comma-separated part that starts like this is a street or hamlet, not a commune."""
MIN_SCORE = 82
MAX_WORDS = 16
CLOSE = 0.96
"""Matches within 4% of the best are offered together, as candidates."""


@dataclass(frozen=True)
class _Name:
    """One searchable name: what people type, and the new ward it leads to."""

    text: str
    ward: str
    typed_as: str | None


def clean_query(text: str) -> list[str]:
    """Folded words, without street or hamlet parts, abbreviations spelt out ("tp")."""
    parts = [p.strip() for p in fold(text).split(",")]
    kept = [p for p in parts if not STREET.match(p)] if len(parts) > 1 else parts
    words = re.sub(r"[^\w\s]", " ", " ".join(kept)).split()[:MAX_WORDS]
    return " ".join(ABBREVIATIONS.get(w, w) for w in words).split()


def names_something(run: str) -> bool:
    """A run of words with at least one that is neither a unit word nor a number."""
    return any(w not in UNIT_WORDS and not w.isdigit() for w in run.split())


def _spelling(name: str) -> str:
    """Names compared with their marks (Cẩm Giang is not Cẩm Giàng), whatever the tone placement
    (Thuỷ or Thủy)."""
    return fold(name) + "|" + "".join(sorted(c for c in nfc(name).casefold() if not c.isascii()))


def ngrams(words: list[str], longest: int = 8) -> list[str]:
    """Every run of 1..longest consecutive words: a name may sit anywhere in an address."""
    return [
        " ".join(words[i : i + n])
        for n in range(1, min(longest, len(words)) + 1)
        for i in range(len(words) - n + 1)
    ]


class Gazetteer:
    """All commune-level units of one province, with their pre-2025 names."""

    def __init__(self, province: str = "HP") -> None:
        code, legacy = PROVINCES[province]
        rows = query(
            "SELECT ward, wardShort, wardCode, wardLat, wardLon, province, provinceShort "
            f"FROM admin_units WHERE provinceCode = '{code}' ORDER BY wardCode"
        )
        # Codes as vietnam-provinces gives them; the two packages differ for a few communes.
        official = list(ProvinceWard.iter_by_province(ProvinceCode(int(code))))
        exact = {_spelling(w.name): str(w.code) for w in official}
        self.alias = {r["wardCode"]: exact.get(_spelling(r["ward"]), r["wardCode"]) for r in rows}
        self.wards = {
            self.alias[r["wardCode"]]: Ward(
                self.alias[r["wardCode"]], r["ward"], r["province"], r["wardLat"], r["wardLon"]
            )
            for r in rows
        }
        names = [
            _Name(text, self.alias[r["wardCode"]], None)
            for r in rows
            for text in {fold(r["wardShort"]), fold(r["ward"])}
        ]
        old = query(
            "SELECT province, district, ward, wardShort, districtShort "
            "FROM admin_units_legacy WHERE provinceCode IN "
            f"({', '.join(repr(c) for c in legacy)})"
        )
        for r in old:
            if not r["wardShort"]:
                continue  # a district with no communes of its own (e.g. an island district)
            converted = convert_address(f"{r['ward']}, {r['district']}, {r['province']}").ward_code
            new = self.alias.get(converted or "", "")
            if new in self.wards:
                typed = ", ".join(filter(None, (r["ward"], r["district"])))
                wards = {fold(r["wardShort"]), fold(r["ward"])}
                districts = {fold(d) for d in (r["districtShort"], r["district"]) if d}
                texts = wards | {f"{w} {d}" for w in wards for d in districts}
                names.extend(_Name(text, new, typed) for text in texts)
        self._names = names
        self._texts = [n.text for n in names]
        self._words = [n.text.count(" ") + 1 for n in names]
        first = rows[0] if rows else {"provinceShort": "", "province": ""}
        self.province_names = {fold(first["provinceShort"]), fold(first["province"])} - {""}

    def resolve(self, text: str) -> list[Ward]:
        """The new wards a typed name may mean, best first; empty when nothing is close.

        Every run of words in the text is compared with every known name, with and without
        "xã", "huyện" and the like, which can also be part of a name (Đoàn Xá, Quán Toan).
        A match weighs its similarity (to the 4th power, so near-misses count little) times
        the words it explains (the shorter of the typed run and the name): the most specific
        wins: an old commune with its district beats
        a new name that equals the district, even with a typo. Matches about as good as the
        best are offered as candidates.
        """
        typed = f" {' '.join(clean_query(text))} "
        for province in sorted(self.province_names, key=len, reverse=True):
            typed = typed.replace(f" {province} ", " ")  # the whole phrase only
        parts = [p for p in ngrams(typed.split()) if names_something(p)]
        if not parts:
            return []
        # In order (a typo sorts words wrongly) or in any order ("Kiến Thụy, Đại Hợp").
        scores = np.maximum(
            process.cdist(parts, self._texts, scorer=fuzz.ratio, score_cutoff=MIN_SCORE),
            process.cdist(parts, self._texts, scorer=fuzz.token_sort_ratio, score_cutoff=MIN_SCORE),
        )
        hits = [
            ((float(scores[i, j]) / 100) ** 4 * min(parts[i].count(" ") + 1, self._words[j]), j)
            for i, j in zip(*scores.nonzero(), strict=True)
        ]
        if not hits:
            return []
        weighed = sorted(hits, reverse=True)
        best = weighed[0][0]
        out: dict[str, Ward] = {}
        for weight, j in weighed:
            if weight < best * CLOSE:
                break
            name = self._names[j]
            ward = self.wards[name.ward]
            out.setdefault(
                name.ward,
                Ward(ward.code, ward.name, ward.province, ward.lat, ward.lon, name.typed_as),
            )
        return list(out.values())[:6]

    def ward(self, code: str) -> Ward | None:
        """A new ward by its code."""
        return self.wards.get(code)


@functools.cache
def gazetteer_for(province: str) -> Gazetteer:
    """One shared, read-only gazetteer per province: building it takes half a second."""
    return Gazetteer(province)
