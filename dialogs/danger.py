"""Danger-word detection, from a data file that social workers can extend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from dialogs.text import fold, nfc

_WORD = re.compile(r"\w+")

Token = tuple[str, str, bool]
"""A word as written (lower case, NFC), folded, and whether it carries marks."""


def tokens(text: str) -> list[Token]:
    """Words of a message, each in both forms."""
    out = []
    for word in _WORD.findall(nfc(text).casefold()):
        bare = fold(word)
        out.append((word, bare, bare != word))
    return out


def _matches(phrase: list[Token], words: list[Token], at: int) -> bool:
    """A phrase matches at position `at`: each marked word exactly, each bare word bare.

    Typed without marks, "bi nhot" is "bị nhốt"; typed with them, "cửu" is not "cứu".
    """
    if at + len(phrase) > len(words):
        return False
    for (p_word, p_bare, _), (w_word, w_bare, w_marked) in zip(
        phrase, words[at : at + len(phrase)], strict=True
    ):
        if w_marked and w_word != p_word:
            return False
        if not w_marked and w_bare != p_bare:
            return False
    return True


@dataclass(frozen=True)
class DangerWords:
    """Phrases that show the emergency numbers, and harmless phrases that contain them."""

    words: tuple[tuple[Token, ...], ...]
    harmless: tuple[tuple[Token, ...], ...]

    @classmethod
    def from_lists(cls, words: list[str], exceptions: list[str]) -> DangerWords:
        """Build the matchers from the two lists."""
        return cls(
            tuple(tuple(tokens(w)) for w in words if tokens(w)),
            tuple(tuple(tokens(w)) for w in exceptions if tokens(w)),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> DangerWords:
        """Read the shipped list, or another file."""
        source = path or Path(str(resources.files("dialogs") / "data" / "danger_words.yaml"))
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
        return cls.from_lists(list(raw.get("words", [])), list(raw.get("except", []) or []))

    def found(self, text: str) -> bool:
        """True when the message contains a danger phrase outside a harmless one."""
        words = tokens(text)
        covered: set[int] = set()
        for phrase in self.harmless:
            for at in range(len(words)):
                if _matches(list(phrase), words, at):
                    covered.update(range(at, at + len(phrase)))
        for phrase in self.words:
            for at in range(len(words)):
                span = set(range(at, at + len(phrase)))
                if not span & covered and _matches(list(phrase), words, at):
                    return True
        return False
