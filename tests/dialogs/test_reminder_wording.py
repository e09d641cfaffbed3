"""Every reminder text a person can receive is neutral, in both languages.

A reminder arrives unasked, at a time chosen as safe, on a phone that someone else may
read: a trafficker, a family member who does not know, a new partner. So nothing a
reminder or its answer says may tell what the service is, who arranged the appointment,
or why. The forbidden words below are grouped by what they would give away. Each is
matched without diacritics and case (as `fold` does) on word boundaries, so "can bo" is
caught as well as "cán bộ", while "cancel" does not trip "can bo". A stem marked "*"
also matches its longer forms ("traffick*": trafficking, trafficked).

Not forbidden: "nhắc lịch" / "reminder", "hẹn" / "appointment", a time and a day: words a
reminder needs and any calendar uses. Nor one-syllable words such as "xã" or "sở": bare,
they are "xa" (far) and "so", and a list that cries wolf gets switched off.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from dialogs.content import Content
from dialogs.engine import Engine
from dialogs.events import Inbound, Kind, Reply
from dialogs.state import Screen, State
from dialogs.text import fold
from tests.dialogs.fake_services import MemoryServices
from tests.dialogs.test_engine_fuzz import DIRECTORY

CONTENT = Content.load()
ENGINE = Engine(CONTENT, DIRECTORY)
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
"""9:00 on Saturday 5 December in Hà Nội time."""

FORBIDDEN = {
    "trafficking": [
        "buôn bán", "mua bán", "buôn người", "bán người", "traffick*", "smuggl*",
        "bóc lột", "exploit*", "lừa bán", "bị lừa",
    ],
    "victims and their story": [
        "nạn nhân", "victim*", "survivor*", "trở về", "return*", "tái hòa nhập",
        "reintegrat*", "nhóm đồng đẳng", "đồng đẳng", "peer*", "abuse*", "xâm hại",
    ],
    "the service and its purpose": [
        "hỗ trợ", "support*", "hotline", "đường dây nóng", "tổng đài", "111", "113",
        "bảo trợ", "xã hội", "social", "tư vấn", "counsel*", "tâm lý", "psycholog*",
        "pháp lý", "legal", "khai báo", "tự khai", "declar*", "trình báo", "report*",
        "giúp đỡ", "help*", "cứu", "rescue*", "dịch vụ", "service*", "y tế", "health",
        "an toàn", "safe*", "bot", "assistant",
    ],
    "caseworkers and authorities": [
        "cán bộ", "caseworker*", "case", "nhân viên", "công an", "police", "cảnh sát",
        "biên phòng", "border", "chính quyền", "ủy ban", "ubnd", "authorit*", "officer*",
        "social worker", "sở y tế", "phường xã",
    ],
}  # fmt: skip


def _pattern(term: str) -> re.Pattern[str]:
    stem = term.endswith("*")
    body = re.escape(fold(term.removesuffix("*")))
    return re.compile(rf"(?<![a-z0-9]){body}{'' if stem else '(?![a-z0-9])'}")


PATTERNS = [(term, _pattern(term)) for terms in FORBIDDEN.values() for term in terms]


def forbidden_in(text: str) -> list[str]:
    """The forbidden terms a text contains, read without diacritics."""
    folded = fold(text)
    return [term for term, pattern in PATTERNS if pattern.search(folded)]


def shown(replies: list[Reply]) -> list[str]:
    """Every text and button label the person sees."""
    return [r.text for r in replies] + [b.label for r in replies for row in r.buttons for b in row]


def due(reminder: int, what: str, code_word: str) -> Inbound:
    """The system event the ticker sends (bot.services.reminders.firing)."""
    data = {"reminder": reminder, "at": AT.isoformat(), "what": what, "code_word": code_word}
    return Inbound("test", "c", "", Kind.SYSTEM, payload="reminder:due", data=data)


def press(payload: str) -> Inbound:
    return Inbound("test", "c", "c", Kind.BUTTON, payload=payload)


async def received(lang: str) -> list[str]:
    """All a person can receive from reminders: each kind, with and without a code word,
    each answer's acknowledgement, and the reply to an answer no longer current."""
    texts: list[str] = []
    services = MemoryServices(current_reminders={1, 2, 3})
    state = State(lang=lang, screen=Screen.MENU)
    word = "đi chợ" if lang == "vi" else "market"
    for what in ("visit", "meeting", "", "unknown"):
        for code_word in ("", word):
            out = await ENGINE.handle(state, due(1, what, code_word), services, NOW)
            texts += shown(out.replies)
    for n, prefix in enumerate(("rem:ok:", "rem:move:", "rem:no:"), 1):
        out = await ENGINE.handle(state, press(f"{prefix}{n}"), services, NOW)
        texts += shown(out.replies)
    out = await ENGINE.handle(state, press("rem:ok:99"), services, NOW)
    return texts + shown(out.replies)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_reminder_text_is_neutral(lang: str) -> None:
    texts = await received(lang)
    assert len(texts) >= 8 * 4 + 4, "every kind, with its three buttons, and every answer"
    offending = {text: forbidden_in(text) for text in texts if forbidden_in(text)}
    assert not offending


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_reminder_message_in_the_catalog_is_neutral(lang: str) -> None:
    """Also texts no flow reaches yet: any reminder.* message is one a phone may show."""
    messages = CONTENT.catalogs.translator(lang).messages
    ids = [m for m in messages if m.startswith("reminder.")]
    assert len(ids) >= 10
    offending = {m: forbidden_in(messages[m]) for m in ids if forbidden_in(messages[m])}
    assert not offending


async def test_reminder_says_what_when_and_in_the_code_word() -> None:
    services = MemoryServices()
    vi = await ENGINE.handle(State(lang="vi"), due(7, "visit", ""), services, NOW)
    assert vi.replies[0].text == "Nhắc lịch: cuộc hẹn lúc 9:00, Thứ Bảy 5/12."
    assert [(b.key, b.label, b.payload) for row in vi.replies[0].buttons for b in row] == [
        ("1", "Tôi sẽ đến", "rem:ok:7"),
        ("2", "Xin đổi giờ khác", "rem:move:7"),
        ("3", "Hủy, tôi không đến được", "rem:no:7"),
    ]
    en = await ENGINE.handle(State(lang="en"), due(7, "meeting", "market"), services, NOW)
    assert en.replies[0].text == "Reminder: market at 9:00, Saturday 5 December."
    assert [b.label for row in en.replies[0].buttons for b in row] == [
        "I'll be there", "Ask for another time", "Cancel, I can't come",
    ]  # fmt: skip


def test_the_list_catches_what_it_is_for() -> None:
    """The check itself can fail: the words it is for are caught, bare or marked."""
    assert forbidden_in("Hẹn gặp cán bộ hỗ trợ nạn nhân") == ["nạn nhân", "hỗ trợ", "cán bộ"]
    assert forbidden_in("hen gap can bo ho tro nan nhan") == ["nạn nhân", "hỗ trợ", "cán bộ"]
    assert forbidden_in("Victims of Trafficking support line") == [
        "traffick*", "victim*", "support*",
    ]  # fmt: skip
    assert forbidden_in("Cancel, I can't come") == []
