"""Danger detection: one pass over a message's words, whatever its length or the lexicon's size.

One Aho–Corasick automaton (pyahocorasick) holds every pattern's anchor phrase in folded
form; each hit is then checked for marks, gaps and context. Both steps are bounded per word,
so a 4,096-character message costs in proportion to its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import ahocorasick

from dialogs.danger_lexicon import Pattern, load_patterns
from dialogs.danger_words import Token, tokens

SELF_HARM = "self_harm"


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: its category and the person's own words that matched."""

    category: str
    words: str


@dataclass(frozen=True)
class Detection:
    """What was found in one message; false when nothing was."""

    hits: tuple[Hit, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.hits)

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories found, in the order of the message."""
        return tuple(dict.fromkeys(h.category for h in self.hits))

    @property
    def self_harm(self) -> bool:
        """The person may hurt themself: the reply gives 115 and 111 as well as 113."""
        return SELF_HARM in self.categories

    def note(self) -> str:
        """One line per category and words, for the caseworker: why this case is urgent."""
        return "\n".join(dict.fromkeys(f"{h.category}: {h.words}" for h in self.hits))


ALERT_ANSWER = Detection((Hit("answer", "yes to a safety question"),))
"""A yes to a declaration question marked `alert` (e.g. "is anyone threatening you?")."""


class DangerWords:
    """The lexicon, compiled once at start-up into one automaton."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns = tuple(patterns)
        keyed: dict[str, list[tuple[Pattern, int]]] = {}
        for pattern in self.patterns:
            keys, lead = pattern.anchors()
            for key in keys:
                keyed.setdefault(f" {key} ", []).append((pattern, lead))
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, value in keyed.items():
            self._automaton.add_word(key, (len(key), tuple(value)))
        self._automaton.make_automaton()

    @classmethod
    def load(cls, path: Path | None = None) -> DangerWords:
        """Read the shipped lexicon, or another file."""
        source = path or Path(str(resources.files("dialogs") / "data" / "danger_words.yaml"))
        return cls(load_patterns(source))

    def detect(self, text: str) -> Detection:
        """Every danger match that no harmless phrase contains."""
        words = tokens(text)
        danger, reach = self._scan(words)
        hits: list[Hit] = []
        last: dict[str, tuple[int, int, int]] = {}  # category: start, end, place in hits
        for at, stop, pattern in sorted(danger, key=lambda d: (d[0], -d[1])):
            if reach[at] >= stop:
                continue
            start, end, place = last.get(pattern.category, (at, -1, len(hits)))
            if stop <= end:
                continue  # inside a span already recorded
            if at >= end:  # a new span; an overlapping one widens the last
                start, place = at, len(hits)
                hits.append(Hit(pattern.category, ""))
            last[pattern.category] = (start, stop, place)
            hits[place] = Hit(pattern.category, " ".join(w.text for w in words[start:stop]))
        return Detection(tuple(hits))

    def _scan(self, words: list[Token]) -> tuple[list[tuple[int, int, Pattern]], list[int]]:
        """Danger matches (start, end, pattern), and for each word the furthest end of a
        harmless match starting at or before it: one pass of the automaton over the words."""
        starts, offset = {}, 1
        for i, word in enumerate(words):
            starts[offset] = i
            offset += len(word.shape.bare) + 1
        line = f" {' '.join(w.shape.bare for w in words)} "
        danger: list[tuple[int, int, Pattern]] = []
        reach = [0] * (len(words) + 1)
        for end, (size, candidates) in self._automaton.iter(line):
            at = starts[end - size + 2]
            for pattern, lead in candidates:
                stop = pattern.match(words, at, lead)
                if stop is not None and pattern.harmless:
                    reach[at] = max(reach[at], stop)
                elif stop is not None:
                    danger.append((at, stop, pattern))
        for i in range(1, len(reach)):
            reach[i] = max(reach[i], reach[i - 1])
        return danger, reach
