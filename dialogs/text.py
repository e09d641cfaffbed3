"""Text normalisation: NFC for storage and comparison, folding for search and keywords."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Vietnamese keyboards may send NFD; store and compare NFC only."""
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, trimmed, inner whitespace collapsed: the form an answer is stored in."""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Lower case without diacritics, so 'thuy nguyen' matches 'Thủy Nguyên'."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.replace("đ", "d")).strip()


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark, i.e. it was not typed bare."""
    return fold(text) != _SPACES.sub(" ", text.casefold()).strip()
