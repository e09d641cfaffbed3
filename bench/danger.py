"""Danger words: the lexicon matcher (one Aho–Corasick pass) against the phrase scan it replaced.

    python bench/danger.py [--repeat 30] [--seed 7]

Messages are built from the corpus of tests/dialogs/data/danger_corpus.yaml: harmless
sentences in random order, with one danger sentence at the end, so that every matcher reads
to the last word. Product and baseline run alternately, message by message, and each is
timed in CPU time of this process, so other processes on a shared machine count for neither.
"cold" clears the product's word caches before each message.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml

from dialogs.danger import DangerWords
from dialogs.danger_words import shape, typed_as
from dialogs.text import fold, nfc

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "dialogs" / "data" / "danger_corpus.yaml"
OLD_WORDS = """cứu|cứu tôi|cứu em|cứu với|bị nhốt|bị bắt giữ|bị bắt cóc|bắt cóc|bị giữ|cứu giúp|sos|
bắt giữ|bị giam|giam giữ|đánh đập|đe dọa|đe doạ|bị ép|ép buộc|không cho về|không thoát được|
tự tử|muốn chết|help me|locked up|locked in|held captive|being held|trapped|threatened|beaten|
kidnapped|suicide""".replace("\n", "").split("|")
OLD_EXCEPT = ["nghiên cứu", "cứu trợ", "cấp cứu 115", "giam giữ tài sản", "help center"]
BASELINES = """Baseline: dialogs/danger.py before issue 7 (kept below): every phrase tried at every
  word, with its 33 phrases; and the same scan given each danger message of the corpus as a
  phrase (what that design needs to catch them), to show how it grows with the lexicon.
x = baseline / product (medians). agree: both found the danger sentence at the end.
"""
COLUMNS = "{:<38}{:>4} {:>9} {:>9} {:>9} {:>9} {:>7} {:>6}"

_WORD = re.compile(r"\w+")
OldToken = tuple[str, str, bool]


def old_tokens(text: str) -> list[OldToken]:
    """Words of a message, each in both forms (the old matcher's)."""
    out = []
    for word in _WORD.findall(nfc(text).casefold()):
        bare = fold(word)
        out.append((word, bare, bare != word))
    return out


def _old_matches(phrase: Sequence[OldToken], words: list[OldToken], at: int) -> bool:
    """The old rule: each marked word exactly, each bare word bare."""
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


class OldDangerWords:
    """The phrase scan of dialogs/danger.py before issue 7, unchanged."""

    def __init__(self, words: list[str], exceptions: list[str]) -> None:
        self.words = [old_tokens(w) for w in words if old_tokens(w)]
        self.harmless = [old_tokens(w) for w in exceptions if old_tokens(w)]

    def found(self, text: str) -> bool:
        """True when the message contains a phrase outside a harmless one."""
        words = old_tokens(text)
        covered: set[int] = set()
        for phrase in self.harmless:
            for at in range(len(words)):
                if _old_matches(phrase, words, at):
                    covered.update(range(at, at + len(phrase)))
        for phrase in self.words:
            for at in range(len(words)):
                span = set(range(at, at + len(phrase)))
                if not span & covered and _old_matches(phrase, words, at):
                    return True
        return False


def messages(rng: random.Random, size: int, count: int) -> list[str]:
    """`count` messages of about `size` characters: harmless sentences, then a danger one."""
    corpus = yaml.safe_load(CORPUS.read_text("utf-8"))
    harmless, out = list(corpus["harmless"]), []
    for _ in range(count):
        tail, parts = "Tôi bị nhốt.", []
        while len(". ".join(parts)) + len(tail) + 2 < size:
            parts.append(rng.choice(harmless))
        text = ". ".join(parts[:-1]) + ". " + tail if len(parts) > 1 else tail
        out.append(text[-size:] if len(text) > size else text)
    return out


def race(
    product: Callable[[str], object],
    baseline: Callable[[str], object],
    cases: list[str],
    repeat: int,
    cold: bool = False,
) -> tuple[list[int], list[int], int]:
    """ns per message for each, alternately; and how many messages both found dangerous."""
    mine: list[int] = []
    theirs: list[int] = []
    agree = 0
    for case in cases[:5]:
        product(case), baseline(case)
    for _ in range(repeat):
        for case in cases:
            if cold:
                shape.cache_clear()
                typed_as.cache_clear()
            t0 = time.process_time_ns()
            got = bool(product(case))
            mine.append(time.process_time_ns() - t0)
            t0 = time.process_time_ns()
            want = bool(baseline(case))
            theirs.append(time.process_time_ns() - t0)
            agree += got and want
    return mine, theirs, agree // repeat


def fmt(ns: float) -> str:
    """A duration with a readable unit."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.0f} ns"


def row(label: str, run: tuple[list[int], list[int], int], n: int, agree: bool = True) -> float:
    """One line: medians, p99s, ratio, agreement; returns the product's median."""
    mine, theirs, both = run
    p50, b50 = statistics.median(mine), statistics.median(theirs)
    p99 = statistics.quantiles(mine, n=100, method="inclusive")[98]
    b99 = statistics.quantiles(theirs, n=100, method="inclusive")[98]
    times = (fmt(p50), fmt(p99), fmt(b50), fmt(b99), f"{b50 / p50:.1f}x")
    print(COLUMNS.format(label, n, *times, f"{both}/{n}" if agree else ""))
    return p50


def main() -> None:
    """Build, time, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--count", type=int, default=20, help="messages of each size")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    t0 = time.process_time_ns()
    product = DangerWords.load()
    build = time.process_time_ns() - t0
    anchors = {k for p in product.patterns for k in p.anchors()[0]}
    corpus = yaml.safe_load(CORPUS.read_text("utf-8"))
    phrases = [text for texts in corpus["danger"].values() for text in texts]
    old = OldDangerWords(OLD_WORDS, OLD_EXCEPT)
    old_big = OldDangerWords(phrases, OLD_EXCEPT)
    print(
        f"lexicon: {len(product.patterns)} patterns, {len(anchors)} anchor phrases in the "
        f"automaton; load and build {fmt(build)}"
    )
    print(BASELINES)
    print(COLUMNS.format("message", "n", "p50", "p99", "base p50", "base p99", "x p50", "agree"))
    medians = {}
    for size in (32, 256, 1024, 4096):
        cases = messages(rng, size, args.count)
        run = race(product.detect, old.found, cases, args.repeat)
        medians[size] = row(f"{size} chars, vs 33 phrases", run, len(cases))
        if size in (32, 4096):
            row(
                f"{size} chars, cold cache, vs 33 phrases",
                race(product.detect, old.found, cases, args.repeat, cold=True),
                len(cases),
            )
            big = race(product.detect, old_big.found, cases, max(1, args.repeat // 10))
            row(f"{size} chars, vs {len(phrases)} phrases", big, len(cases), agree=False)
    print(
        f"\nproduct, 4096 chars / 32 chars: {medians[4096] / medians[32]:.0f}x the time for "
        f"{4096 / 32:.0f}x the text; per character: {fmt(medians[4096] / 4096)} at 4096, "
        f"{fmt(medians[1024] / 1024)} at 1024, {fmt(medians[256] / 256)} at 256"
    )


if __name__ == "__main__":
    main()
