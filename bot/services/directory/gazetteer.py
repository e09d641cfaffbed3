"""Commune names as people type them, new (2025) or old, resolved to the new commune."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

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

UNIT_WORDS = re.compile(
    r"\b(xa|phuong|thi tran|thi xa|dac khu|huyen|quan|thanh pho|tp|tinh|ubnd|uy ban nhan dan)\b"
)
MIN_SCORE = 82
MAX_WORDS = 16
CLOSE = 4
"""Candidates within this many points of the best are offered together."""


@dataclass(frozen=True)
class _Name:
    """One searchable name: what people type, and the new ward it leads to."""

    text: str
    ward: str
    typed_as: str | None


def clean_query(text: str, province_names: set[str]) -> list[str]:
    """Fold; drop unit words ("xã", "huyện") and the province's own name; return the words."""
    folded = " " + " ".join(UNIT_WORDS.sub(" ", re.sub(r"[^\w\s]", " ", fold(text))).split()) + " "
    for name in province_names:
        folded = folded.replace(f" {name} ", " ")
    return folded.split()[:MAX_WORDS]


def _spelling(name: str) -> str:
    """Names compared with their marks (Cẩm Giang is not Cẩm Giàng), whatever the tone placement
    (Thuỷ or Thủy)."""
    return fold(name) + "|" + "".join(sorted(c for c in nfc(name).casefold() if not c.isascii()))


def ngrams(words: list[str], longest: int = 5) -> list[str]:
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
        names = [_Name(fold(r["wardShort"]), self.alias[r["wardCode"]], None) for r in rows]
        old = query(
            "SELECT province, district, ward, wardShort, districtShort, provinceShort "
            "FROM admin_units_legacy WHERE provinceCode IN "
            f"({', '.join(repr(c) for c in legacy)})"
        )
        self.province_names = {fold(r["provinceShort"]) for r in (*old, *rows)}
        for r in old:
            if not r["wardShort"]:
                continue  # a district with no communes of its own (e.g. an island district)
            converted = convert_address(f"{r['ward']}, {r['district']}, {r['province']}").ward_code
            new = self.alias.get(converted or "", "")
            if new in self.wards:
                typed = ", ".join(filter(None, (r["ward"], r["district"])))
                short = f"{fold(r['wardShort'])} {fold(r['districtShort'] or '')}".strip()
                names.append(_Name(short, new, typed))
                names.append(_Name(fold(r["wardShort"]), new, typed))
        self._names = names
        self._texts = [n.text for n in names]
        self._words = [len(n.text.split()) for n in names]

    def resolve(self, text: str) -> list[Ward]:
        """The new wards a typed name may mean, best first; empty when nothing is close.

        Every run of words in the text is compared with every known name; the most specific
        close match wins (an old commune with its district beats a new name that happens
        to equal the old district), and equally good matches come back as candidates.
        """
        parts = ngrams(clean_query(text, self.province_names))
        if not parts:
            return []
        scores = process.cdist(parts, self._texts, scorer=fuzz.token_sort_ratio,
                               score_cutoff=MIN_SCORE)  # fmt: skip
        hits = [(float(scores[i, j]), j) for i, j in zip(*scores.nonzero(), strict=True)]
        if not hits:
            return []
        best = max(score for score, _ in hits)
        close = [(self._words[j], score, j) for score, j in hits if score >= best - CLOSE]
        widest = max(words for words, _, _ in close)
        out: dict[str, Ward] = {}
        for _words, _score, j in sorted((c for c in close if c[0] == widest), key=lambda c: -c[1]):
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
