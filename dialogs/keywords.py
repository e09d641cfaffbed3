"""Words a person may type instead of pressing a button, in both languages."""

from __future__ import annotations

from enum import StrEnum

from dialogs.text import fold


class Word(StrEnum):
    """Navigation that is available everywhere by typing."""

    MENU = "menu"
    ERASE = "erase"
    BACK = "back"
    SKIP = "skip"
    START = "start"


_WORDS: dict[str, Word] = {}
for _word, _phrases in {
    Word.MENU: ("menu", "menu chinh", "trang chu", "main menu", "home"),
    Word.ERASE: ("xoa", "xoa du lieu", "xoa het", "erase", "erase my data", "delete my data"),
    Word.BACK: ("quay lai", "tro lai", "lui", "back", "go back"),
    Word.SKIP: ("bo qua", "skip", "khong muon tra loi", "khong muon noi", "prefer not to say"),
    Word.START: ("bat dau", "xin chao", "chao", "hello", "hi", "start"),
}.items():
    _WORDS.update(dict.fromkeys(_phrases, _word))


def keyword(text: str) -> Word | None:
    """The navigation word that the whole message is, if it is one."""
    return _WORDS.get(fold(text).strip(" .!?"))
