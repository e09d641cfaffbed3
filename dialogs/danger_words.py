"""Words as people type them: with all marks, some, or none, NFC or NFD, any tone placement."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from dialogs.text import fold, nfc

_WORD = re.compile(r"\w+")
_WORD_AND_GAP = re.compile(r"(\w+)(\W*)")
_CLAUSE_END = re.compile(r"[.!?;:,\n…]")
_TONES = {
    "\u0301": "sắc",
    "\u0300": "huyền",
    "\u0309": "hỏi",
    "\u0303": "hỏi",  # ngã: many people who write hỏi and ngã mix them up ("giử" for "giữ")
    "\u0323": "nặng",
}


class Shape(NamedTuple):
    """A word split into what folding keeps, the vowel marks letter by letter, and the tone.

    The tone is one per syllable wherever it sits, so "doạ" and "dọa" have the same shape.
    """

    bare: str
    letters: str
    tone: str | None


@lru_cache(maxsize=65536)
def shape(word: str) -> Shape:
    """The shape of one lower-case word; cached, since people reuse few words."""
    letters, tone = [], None
    for char in word:
        parts = unicodedata.normalize("NFD", char)
        tone = next((_TONES[c] for c in parts if c in _TONES), tone)
        letters.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)))
    return Shape(fold(word), "".join(letters), tone)


@lru_cache(maxsize=65536)
def typed_as(typed: Shape, meant: Shape) -> bool:
    """True when `typed` is `meant` written bare, without its tone, or with the tone elsewhere.

    "cuu" and "cưu" can be "cứu"; "cửu" cannot, nor can "họ" be "hộ". A forgotten stroke on
    "đ" is forgiven ("dánh" is "đánh"), and hỏi and ngã are one tone here.
    """
    if typed.bare != meant.bare:
        return False
    if typed.tone is None and typed.letters == typed.bare:
        return True
    if typed.tone is not None and typed.tone != meant.tone:
        return False
    if len(typed.letters) != len(meant.letters):
        return False
    return all(
        t == m or (t, m) == ("d", "đ") for t, m in zip(typed.letters, meant.letters, strict=True)
    )


class Token(NamedTuple):
    """One word of a message: as typed (NFC, lower case), its shape, and where it ends."""

    text: str
    shape: Shape
    ends_clause: bool


def tokens(text: str) -> list[Token]:
    """The words of a message, in order; a word ends a clause before punctuation or the end."""
    pairs = _WORD_AND_GAP.findall(nfc(text).casefold())
    last = len(pairs) - 1
    return [
        Token(w, shape(w), i == last or _CLAUSE_END.search(gap) is not None)
        for i, (w, gap) in enumerate(pairs)
    ]


def word(text: str) -> str:
    """One lexicon word, checked: NFC, lower case, a single word."""
    lowered = nfc(text).casefold()
    if not _WORD.fullmatch(lowered):
        raise ValueError(f"not a single word: {text!r}")
    return lowered
