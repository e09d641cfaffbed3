"""The danger lexicon as data: word patterns with bounded gaps, each with a category and a note.

A pattern is words separated by spaces:
- `nhốt` one word; `về|đi|ra` any one of these; `@me` any word of the set `me`; `#` a number;
- `*` up to `gap` words (default 3) within one clause, `*2` up to 2;
- `$` the clause ends here (punctuation or the end of the message); `với|$` either;
- `!giá|máy` the next word is none of these (or there is none); it takes no word.
A pattern starts with a word position, so each one has an anchor to look up.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from dialogs.danger_words import Shape, Token, shape, typed_as, word

MAX_KEYS = 512
"""Cap on the anchor phrases one pattern adds to the automaton (alternatives multiply)."""


class Op(StrEnum):
    """What one position of a pattern asks of the message."""

    WORD = "word"
    GAP = "gap"
    END = "end"
    NOT = "not"


@dataclass(frozen=True)
class Step:
    """One position of a pattern: the words allowed there (by bare form), or a gap."""

    op: Op
    words: Mapping[str, tuple[Shape, ...]] = field(default_factory=dict)
    gap: int = 0
    numbers: bool = False
    or_end: bool = False

    def accepts(self, token: Token) -> bool:
        """The token is one of the words, typed with all, some or none of its marks."""
        for form in self.words.get(token.shape.bare, ()):
            if typed_as(token.shape, form):
                return True
        return self.numbers and token.text.isdigit()


@dataclass(frozen=True)
class Pattern:
    """One lexicon entry; `harmless` ones cancel a danger match that lies inside them."""

    text: str
    category: str
    note: str
    steps: tuple[Step, ...]
    harmless: bool = False

    def anchors(self) -> tuple[list[str], int]:
        """Bare phrases to look up, and how many leading positions they cover."""
        lead, count = 0, 1
        for step in self.steps:
            if step.op is not Op.WORD or step.or_end or step.numbers:
                break  # a key is words only: "$" and "#" are checked after the lookup
            if lead and count * len(step.words) > MAX_KEYS:
                break
            lead, count = lead + 1, count * len(step.words)
        keys = itertools.product(*(sorted(s.words) for s in self.steps[:lead]))
        return [" ".join(k) for k in keys], lead

    def match(self, words: Sequence[Token], at: int, lead: int) -> int | None:
        """Where the match that starts at `at` ends (exclusive), or None; shortest gaps first."""
        for i in range(lead):
            if not self.steps[i].accepts(words[at + i]):
                return None
        return self._rest(words, at + lead, lead)

    def _rest(self, words: Sequence[Token], j: int, k: int) -> int | None:
        """Match steps[k:] from word j; each step is bounded, so this costs a constant."""
        if k == len(self.steps):
            return j
        step = self.steps[k]
        if step.op is Op.WORD:
            if j < len(words) and step.accepts(words[j]):
                found = self._rest(words, j + 1, k + 1)
                if found is not None:
                    return found
            return self._rest(words, j, k + 1) if step.or_end and words[j - 1].ends_clause else None
        if step.op is Op.END:
            return self._rest(words, j, k + 1) if words[j - 1].ends_clause else None
        if step.op is Op.NOT:
            ok = j == len(words) or not step.accepts(words[j])
            return self._rest(words, j, k + 1) if ok else None
        for skip in range(step.gap + 1):
            if skip and (j + skip > len(words) or words[j + skip - 2].ends_clause):
                return None  # a gap stays inside one clause
            found = self._rest(words, j + skip, k + 1)
            if found is not None:
                return found
        return None


def _step(item: str, sets: Mapping[str, list[str]], gap: int) -> Step:
    """Parse one position of a pattern."""
    if item == "$":
        return Step(Op.END)
    if item.startswith("*"):
        return Step(Op.GAP, gap=int(item[1:] or gap))
    op = Op.NOT if item.startswith("!") else Op.WORD
    choices: list[str] = []
    alts = item.removeprefix("!").split("|")
    for alt in (a for a in alts if a not in ("#", "$")):
        if alt.startswith("@") and alt[1:] not in sets:
            raise ValueError(f"unknown word set {alt!r}")
        choices += sets[alt[1:]] if alt.startswith("@") else [alt]
    by_bare: dict[str, list[Shape]] = {}
    for choice in choices:
        form = shape(word(choice))
        by_bare.setdefault(form.bare, []).append(form)
    words = {bare: tuple(forms) for bare, forms in by_bare.items()}
    return Step(op, words, numbers="#" in alts, or_end="$" in alts)


def parse(text: str, sets: Mapping[str, list[str]], gap: int = 3) -> tuple[Step, ...]:
    """A pattern's positions; a mistake fails at start-up, not in a conversation."""
    try:
        steps = tuple(_step(item, sets, gap) for item in text.split())
    except ValueError as error:
        raise ValueError(f"{error} in {text!r}") from error
    if not steps or steps[0].op is not Op.WORD or steps[0].numbers or steps[0].or_end:
        raise ValueError(f"a pattern starts with a word: {text!r}")
    return steps


def load_patterns(path: Path) -> list[Pattern]:
    """Read the lexicon file: word sets, danger entries with a category, harmless phrases."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    sets: dict[str, list[str]] = {k: [str(w) for w in v] for k, v in raw["sets"].items()}
    gap, categories = int(raw.get("gap", 3)), set(raw["categories"])
    patterns = []
    for entry in raw["entries"]:
        if entry["category"] not in categories or not entry.get("note"):
            raise ValueError(f"entry needs a known category and a note: {entry}")
        for text in _texts(entry):
            steps = parse(text, sets, gap)
            patterns.append(Pattern(text, entry["category"], entry["note"], steps))
    for entry in raw["harmless"]:
        if not entry.get("note"):
            raise ValueError(f"harmless entry needs a note: {entry}")
        for text in _texts(entry):
            patterns.append(Pattern(text, "", entry["note"], parse(text, sets, gap), True))
    return patterns


def _texts(entry: Mapping[str, Any]) -> list[str]:
    """An entry has one pattern (`words`) or several (`any`) that share a note."""
    return [str(entry["words"])] if "words" in entry else [str(t) for t in entry["any"]]
