"""Danger-word detection, from a data file that social workers can extend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from dialogs.text import fold, has_diacritics, nfc


def _pattern(phrases: set[str]) -> re.Pattern[str] | None:
    """Whole-word alternation, longest first."""
    if not phrases:
        return None
    alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


@dataclass(frozen=True)
class DangerWords:
    """Matches with marks against marked text, and bare forms against bare text."""

    marked: re.Pattern[str] | None
    bare: re.Pattern[str] | None
    marked_except: re.Pattern[str] | None
    bare_except: re.Pattern[str] | None

    @classmethod
    def from_lists(cls, words: list[str], exceptions: list[str]) -> DangerWords:
        """Build the matchers from the two lists."""
        low = {nfc(w).casefold() for w in words}
        exc = {nfc(w).casefold() for w in exceptions}
        return cls(
            _pattern(low),
            _pattern({fold(w) for w in low}),
            _pattern(exc),
            _pattern({fold(w) for w in exc}),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> DangerWords:
        """Read the shipped list, or another file."""
        source = path or Path(str(resources.files("dialogs") / "data" / "danger_words.yaml"))
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
        return cls.from_lists(list(raw.get("words", [])), list(raw.get("except", []) or []))

    def found(self, text: str) -> bool:
        """True when the message contains a danger word outside a harmless phrase."""
        if has_diacritics(text):
            subject, pat, exc = nfc(text).casefold(), self.marked, self.marked_except
        else:
            subject, pat, exc = fold(text), self.bare, self.bare_except
        if pat is None:
            return False
        if exc is not None:
            subject = exc.sub(" ", subject)
        return pat.search(subject) is not None
