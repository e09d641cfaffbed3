"""Danger detection against a corpus of invented messages: recall and false alarms, measured."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.danger import DangerWords
from dialogs.text import fold

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "danger_corpus.yaml").read_text("utf-8"))
DANGER = DangerWords.load()


def variants(text: str) -> list[str]:
    """As typed, as NFD, and (for Vietnamese with marks) typed bare."""
    out = [text, unicodedata.normalize("NFD", text)]
    return out + ([fold(text)] if fold(text) != text.casefold() else [])


def dangerous() -> list[tuple[str, str]]:
    """(category, message) for every danger message in every form."""
    return [(c, v) for c, texts in CORPUS["danger"].items() for t in texts for v in variants(t)]


def test_the_corpus_is_as_large_as_the_issue_asks() -> None:
    danger = sum(len(texts) for texts in CORPUS["danger"].values())
    harmless = len(CORPUS["harmless"])
    assert danger + harmless >= 150 and harmless >= 60
    english = [t for texts in CORPUS["danger"].values() for t in texts if t.isascii()]
    assert len(english) >= 30, "English danger messages"


def test_recall_and_false_alarms() -> None:
    """Recall >= 95% over every form, false alarms <= 5%; the figures go to the note."""
    cases = dangerous()
    missed = [text for _, text in cases if not DANGER.detect(text)]
    harmless = [v for t in CORPUS["harmless"] for v in (t, unicodedata.normalize("NFD", t))]
    alarms = [text for text in harmless if DANGER.detect(text)]
    recall, false_alarms = 1 - len(missed) / len(cases), len(alarms) / len(harmless)
    print(f"\nrecall {recall:.1%} of {len(cases)};", end=" ")
    print(f"false alarms {false_alarms:.1%} of {len(harmless)}")
    assert recall >= 0.95, missed
    assert false_alarms <= 0.05, alarms


@pytest.mark.parametrize(
    "text",
    [
        "họ nhốt tôi trong phòng",
        "ho nhot toi",
        "giúp tôi với",
        "làm ơn giúp tôi",
        "tôi sợ lắm, họ đang tìm tôi",
        "they locked me in a room",
        "please help",
        "they took my passport and won't let me leave",
        "my daughter is still held in Cambodia",
        "con gái tôi vẫn bị giữ",
    ],
)
def test_every_message_of_the_issue_is_caught(text: str) -> None:
    for form in variants(text):
        assert DANGER.detect(form), form


@pytest.mark.parametrize("text", ["nghiên cứu", "Cửu Long", "giúp đỡ người khác", "vay vốn"])
def test_words_that_merely_contain_a_danger_word_do_not_fire(text: str) -> None:
    assert not DANGER.detect(text)
    assert not DANGER.detect(unicodedata.normalize("NFD", text))


def test_marks_typed_must_be_right_and_marks_left_out_are_forgiven() -> None:
    assert DANGER.detect("cứu") and DANGER.detect("cuu") and DANGER.detect("cưu")
    assert not DANGER.detect("cửu"), "a wrong mark is another word"
    assert DANGER.detect("tôi bi nhot o đây"), "half the words typed with marks"
    assert DANGER.detect("họ đe dọa tôi") and DANGER.detect("họ đe doạ tôi"), "either tone place"
    assert DANGER.detect("em bị giử lại"), "hỏi for ngã, a common slip"


def test_a_detection_records_the_words_that_matched_for_the_caseworker() -> None:
    found = DANGER.detect("Chào anh. Con gái tôi vẫn bị giữ, họ dọa giết nó. Giúp tôi với!")
    assert found.categories == ("held", "threat", "help")
    assert found.note() == "held: bị giữ\nthreat: dọa giết nó\nhelp: giúp tôi với"
    assert not found.self_harm


def test_self_harm_is_its_own_category() -> None:
    for text in CORPUS["danger"]["self_harm"]:
        assert all(DANGER.detect(form).self_harm for form in variants(text)), text
    assert not DANGER.detect("họ nhốt tôi").self_harm


def test_a_gap_stays_inside_one_sentence() -> None:
    assert DANGER.detect("họ không cho con gái tôi về")
    assert not DANGER.detect("Tôi không cho là vậy. Mai tôi về quê")


def test_a_long_message_is_read_to_its_end() -> None:
    filler = "Tôi ở Hải Phòng và muốn hỏi về thủ tục. " * 100
    assert not DANGER.detect(filler)
    assert DANGER.detect(filler + "Họ nhốt tôi.").note() == "held: nhốt"


@pytest.mark.parametrize(
    ("lexicon", "error"),
    [
        ("entries: [{words: cứu, category: help}]", "note"),
        ("entries: [{words: cứu, category: hurry, note: x}]", "category"),
        ("entries: [{words: giúp @who, category: help, note: x}]", "unknown word set"),
        ("entries: [{words: '* cứu', category: help, note: x}]", "starts with a word"),
        ("entries: [{words: 'giúp tôi-với', category: help, note: x}]", "single word"),
    ],
)
def test_a_mistake_in_the_lexicon_fails_at_load(tmp_path: Path, lexicon: str, error: str) -> None:
    path = tmp_path / "words.yaml"
    path.write_text(f"categories: {{help: h}}\nsets: {{}}\nharmless: []\n{lexicon}\n", "utf-8")
    with pytest.raises(ValueError, match=error):
        DangerWords.load(path)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_is_read_and_the_words_recorded_are_the_persons_own(message: str) -> None:
    words = set(unicodedata.normalize("NFC", message).casefold().split())
    for hit in DANGER.detect(message).hits:
        assert all(any(w in typed for typed in words) for w in hit.words.split()), hit
