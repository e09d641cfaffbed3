"""Fonts parsed once per process and lent to each PDF, because parsing costs more than layout.

fpdf2 parses a TTF file on every add_font and subsets it in place when the PDF is written.
Here each face is parsed once into a template; a document gets a copy that shares the
read-only tables (widths, character map) and owns what fpdf2 changes: the glyph subset and
a fontTools font opened lazily from bytes kept in memory.

Most declarations use only Latin letters with Vietnamese marks, so each face also exists as a
small font of those characters (about 1,000 instead of 6,000 glyphs), which is much faster to
subset. A document with any other character uses the whole face.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "dejavu"
FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
LATIN = (
    (0x20, 0x17F),  # ASCII, Latin-1, Latin Extended-A
    (0x1A0, 0x1B0),  # Ơ ơ Ư ư
    (0x300, 0x323),  # combining marks, Vietnamese tones among them
    (0x1EA0, 0x1EF9),  # the rest of the Vietnamese letters
    (0x2000, 0x206F),  # punctuation: dashes, quotes, ellipsis
    (0x20A0, 0x20CF),  # currency: ₫ €
)
"""Characters of Vietnamese and Western European text: the small fonts have these."""


@dataclass(frozen=True)
class _Face:
    """A parsed face and the bytes each document reopens it from."""

    template: TTFFont
    data: bytes


@dataclass(frozen=True)
class _Set:
    """One font per style, and the characters every one of them has."""

    faces: dict[str, _Face]
    glyphs: frozenset[int]


_lock = threading.Lock()
_sets: dict[str, _Set] = {}


def _parse(data: bytes, style: str) -> _Face:
    """Parse once: widths and character map, as fpdf2's add_font would."""
    template = TTFFont(FPDF(), io.BytesIO(data), FAMILY + style, style)  # type: ignore[arg-type]
    template.ttfont.close()
    return _Face(template, data)


def _latin_only(data: bytes) -> bytes:
    """The face cut down to LATIN, without hinting or layout tables (shaping is off)."""
    font = ttLib.TTFont(io.BytesIO(data))
    wanted = [c for c in font.getBestCmap() if any(lo <= c <= hi for lo, hi in LATIN)]
    options = subset.Options(
        notdef_outline=True, recommended_glyphs=True, glyph_names=True, hinting=False
    )
    options.layout_features = []
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "kern", "hdmx", "meta"]
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=wanted)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _load(kind: str) -> _Set:
    """Parse the faces of one kind ("latin" or "full") the first time they are needed."""
    with _lock:
        if kind not in _sets:
            faces = {}
            for style, name in FACES.items():
                data = (FONT_DIR / name).read_bytes()
                faces[style] = _parse(_latin_only(data) if kind == "latin" else data, style)
            maps = [set(f.template.cmap) for f in faces.values()]
            _sets[kind] = _Set(faces, frozenset(set.intersection(*maps)))
        return _sets[kind]


@functools.cache
def all_glyphs() -> frozenset[int]:
    """Characters that every style of the whole face can print (its character maps only)."""
    maps = []
    for name in FACES.values():
        with ttLib.TTFont(FONT_DIR / name, lazy=True) as font:
            maps.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*maps))


def _lend(face: _Face, index: int) -> TTFFont:
    """A copy for one document: shared read-only tables, its own subset and fontTools font."""
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(face.template, name):
            setattr(font, name, getattr(face.template, name))
    font.i = index
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    # Opened lazily: only the tables the subset needs are read. The bounding boxes in the
    # file are right already, so recomputing them (which decodes every outline) is skipped.
    font.ttfont = ttLib.TTFont(
        io.BytesIO(face.data), lazy=True, recalcTimestamp=False, recalcBBoxes=False
    )
    font.subset = SubsetMap(font)
    return font


def install(pdf: FPDF, used: Set[int]) -> None:
    """Give pdf the family FAMILY in every style: the small fonts if they cover used."""
    latin = _load("latin")
    chosen = latin if used <= latin.glyphs else _load("full")
    for style, face in chosen.faces.items():
        pdf.fonts[FAMILY + style] = _lend(face, len(pdf.fonts) + 1)
