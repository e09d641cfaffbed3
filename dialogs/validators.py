"""Input validators: turn what people type into stored values, or a symbolic refusal.

Users may have low literacy and often type without diacritics, so every check works on
`fold`-ed or digit-only text and accepts the usual ways of writing a number. A refusal is an
`Invalid` carrying a gettext message id; the dialog layer translates and shows it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from dialogs.text import clean, fold

MAX_TEXT = 1000

# Longer than anything a phone number, ID number or short phrase can reasonably be.
_MAX_SHORT_INPUT = 64


@dataclass(frozen=True)
class Invalid:
    """A refusal: a gettext message id (symbolic) and its format parameters."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


def check_text(raw: str, max_len: int = MAX_TEXT) -> str | Invalid:
    """Free text is stored NFC-clean; refuse it when empty or too long for a case note."""
    text = clean("".join(c for c in raw if unicodedata.category(c) != "Cc" or c.isspace()))
    if not any(c.isprintable() and not c.isspace() for c in text):
        return Invalid("error.text_empty")
    if len(text) > max_len:
        return Invalid("error.text_too_long", {"max": max_len})
    return text


def _digits_input(raw: str) -> str:
    """NFKC so full-width digits count as digits; clean so spacing does not matter."""
    return clean(unicodedata.normalize("NFKC", raw))


_PHONE_COMPACT = re.compile(r"\+?[0-9]+")
_PHONE_NOISE = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"0[35789][0-9]{8}")
_LANDLINE = re.compile(r"02[0-9]{9}")


def _national(compact: str) -> str | None:
    """The number in national form (leading 0), or None when it is not Vietnamese."""
    if compact.startswith("+"):
        if not compact.startswith("+84"):
            return None
        rest = compact[3:]
    elif compact.startswith("0084"):
        rest = compact[4:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        rest = compact[2:]
    elif compact.startswith("0"):
        return compact
    else:
        return None
    # People often keep the trunk 0 after the country code: +84 0912 345 678.
    return rest if rest.startswith("0") else "0" + rest


def parse_phone(raw: str) -> str | Invalid:
    """A Vietnamese mobile or landline number however it is typed, as E.164 (+84...)."""
    text = _digits_input(raw)
    if len(text) > _MAX_SHORT_INPUT:
        return Invalid("error.phone")
    compact = _PHONE_NOISE.sub("", text)
    if not _PHONE_COMPACT.fullmatch(compact):
        return Invalid("error.phone")
    national = _national(compact)
    if national is None or not (_MOBILE.fullmatch(national) or _LANDLINE.fullmatch(national)):
        return Invalid("error.phone")
    return "+84" + national[1:]


_ID_SHAPE = re.compile(r"[0-9]+(?:[ .][0-9]+)*")


def parse_id_number(raw: str) -> str | Invalid:
    """A CCCD (12 digits) or old CMND (9 digits), spaces/dots allowed, as digits only."""
    text = _digits_input(raw)
    if len(text) > _MAX_SHORT_INPUT or not _ID_SHAPE.fullmatch(text):
        return Invalid("error.id_number")
    digits = re.sub(r"[ .]", "", text)
    if len(digits) not in (9, 12):
        return Invalid("error.id_number")
    return digits


# A "don't know" answer, matched on folded text as a whole phrase: an optional subject,
# the phrase itself, and optional softeners or the thing not remembered ("ngay", "the date").
_SUBJECT = r"(?:(?:toi|em|minh|chau|con|anh|chi|tao|t|e|i|im|i am|we)\s)?"
_VI_PHRASE = (
    r"(?:(?:cung|that su|thuc su)\s)?"
    r"(?:khong|ko|k|kh|khg|hong|hok|hem|chang|cha)\s(?:con\s)?(?:nho|biet|bit|bik|ro)"
)
_VI_CHIU = r"chiu"
_EN_PHRASE = (
    r"(?:really\s)?(?:(?:dont|do not|didnt|did not|cant|can not|cannot)\s(?:really\s)?"
    r"(?:know|remember|recall)|not sure|no idea|unsure|dunno|idk|forgot|forget)"
)
_TAIL = (
    r"(?:\s(?:ro|lam|nua|duoc|noi|chinh xac|a|ah|nha|nhe|roi|luon|thoi|ngay|thang|nam|nao"
    r"|so|exactly|anymore|sorry|it|the date|the day|the year|for sure))*"
)
_DONT_KNOW = re.compile(rf"{_SUBJECT}(?:{_VI_PHRASE}|{_VI_CHIU}|{_EN_PHRASE}){_TAIL}")
_APOSTROPHES = re.compile(r"['’‘`´]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def is_dont_know(raw: str) -> bool:
    """True when the whole answer says "I don't remember / don't know" (or is just "?")."""
    if len(raw) > _MAX_SHORT_INPUT * 2:
        return False
    text = fold(raw)
    if text and not text.replace("?", "").strip():
        return True
    text = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text))
    return _DONT_KNOW.fullmatch(" ".join(text.split())) is not None
