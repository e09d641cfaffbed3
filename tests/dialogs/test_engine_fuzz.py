"""Random event sequences never crash the engine and never leave an invalid state."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.directory.gazetteer import Gazetteer
from bot.services.directory.seed import seed_rows
from bot.services.directory.store import Directory, to_entry
from db.models import Place
from dialogs import screens
from dialogs.content import Content
from dialogs.engine import Engine
from dialogs.events import Inbound, Kind, Reply
from dialogs.state import Screen, State
from dialogs.turn import Turn
from tests.dialogs.fake_services import MemoryServices

CONTENT = Content.load()
GAZETTEER = Gazetteer()
DIRECTORY = Directory(
    GAZETTEER, [to_entry(Place(**r, updated_at=datetime.now(UTC))) for r in seed_rows(GAZETTEER)]
)
ENGINE = Engine(CONTENT, DIRECTORY)
PHRASES = [
    "xin chào", "menu", "xóa", "xoa", "quay lại", "bỏ qua", "skip", "back", "cứu tôi",
    "bi nhot", "15/03/1995", "2010", "không nhớ", "0912 345 678", "+84 912.345.678",
    "Nguyễn Thị Thử", "dai hop kien thuy", "Hòa Bình", "🙏😢", "", "   ", "1", "Có", "Không",
    "Đồng ý", "\x00", "a" * 1500, "0", "3", "7", "1, 4", "2 5 9", "42", "20,71; 106,71",
    "20.86 106.68",
]  # fmt: skip
texts = st.one_of(
    st.sampled_from(PHRASES),
    st.sampled_from(PHRASES).map(lambda s: unicodedata.normalize("NFD", s)),
    st.text(max_size=50),
    st.text(min_size=1000, max_size=1200, alphabet="ăâđêôơưáàảãạ xyz"),
)
STALE = [
    "opt:yes", "edit:dob", "rt:who", "res:continue", "er:yes", "lang:fr", "opt:@unknown", "z",
    "rem:ok:1", "rem:no:x", "rp:h:evening", "rp:word",
]  # fmt: skip
NAMED = [
    "menu.declare", "menu.find", "menu.rights", "menu.talk", "menu.erase", "nav.back",
    "nav.menu", "nav.done", "consent.agree", "consent.refuse", "common.dont_remember",
    "review.submit", "nav.share_location", "decl.id_number.no_papers", "decl.ethnicity.kinh",
    "decl.nationality.vn",
]  # fmt: skip
"""Button labels that texts tell people to press: wherever a text names one, it is shown.

Not "Skip": the first screen says that every question will have one, which is true.
"""
PRESS = re.compile(r"(?:[Bb]ấm|[Cc]họn|[Pp]ress|[Cc]hoose)(?: nút)? “([^”]+)”")
SYSTEM = [
    ("case:joined", {"code": "4821"}), ("case:reply", {}), ("case:transferred", {}),
    ("case:closed", {"outcome": "resolved"}), ("case:reopened", {}), ("case:unknown", {}),
    ("reminder:due", {"reminder": 1, "at": "2026-12-05T02:00:00+00:00", "what": "visit"}),
    ("reminder:due", {"reminder": "x"}),
]  # fmt: skip
MEDIA = [{"media": "voice"}, {"media": "photo"}, {"media": "sticker"}, {"too_big": True}, {}]
COMMANDS = ["/start", "/menu", "/lang", "/erase", "/help", "/start src_leaflet_x", "/nope", "/"]


def check(state: State) -> None:
    """What must hold after every event."""
    assert State.from_dict(state.to_dict()) == state
    if state.screen is Screen.STEP:
        assert CONTENT.declaration.has(state.step)
    if state.lang is not None:
        assert state.lang in CONTENT.catalogs.languages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_events_never_crash(data: st.DataObject) -> None:
    state, services = State(), MemoryServices()
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    for _ in range(data.draw(st.integers(1, 40), label="length")):
        kind = data.draw(
            st.sampled_from(["text", "offered", "stale", "command", "location", "media", "system"])
        )
        offered = [p for r in offered_replies(state) for p in r.button_payloads()]
        if kind == "offered" and offered:
            event = Inbound("t", "c", "u", Kind.BUTTON, payload=data.draw(st.sampled_from(offered)))
        elif kind == "stale":
            payload = data.draw(st.sampled_from(STALE))
            event = Inbound("t", "c", "u", Kind.BUTTON, payload=payload)
        elif kind == "command":
            event = Inbound("t", "c", "u", Kind.COMMAND, text=data.draw(st.sampled_from(COMMANDS)))
        elif kind == "location":
            event = Inbound("t", "c", "u", Kind.LOCATION, location=(20.8, 106.7))
        elif kind == "media":
            event = Inbound("t", "c", "u", Kind.MEDIA, data=data.draw(st.sampled_from(MEDIA)))
        elif kind == "system":
            payload, details = data.draw(st.sampled_from(SYSTEM))
            event = Inbound("t", "c", "u", Kind.SYSTEM, payload=payload, data=details, text="Chào")
        else:
            event = Inbound("t", "c", "u", Kind.TEXT, text=data.draw(texts))
        now += timedelta(minutes=data.draw(st.sampled_from([0, 1, 90, 60 * 24 * 3])))
        outcome = asyncio.run(ENGINE.handle(state, event, services, now))
        # In a case, what the person writes goes to the caseworker, who answers instead.
        assert outcome.replies or state.case or kind == "system", "every event gets an answer"
        assert all(r.text.strip() for r in outcome.replies)
        check_named_buttons(outcome.replies, outcome.state.lang)
        named: dict[str, str] = {}
        for reply in outcome.replies:
            for button in (b for row in reply.buttons for b in row if b.key):
                assert named.setdefault(button.key, button.payload) == button.payload, "one key"
            assert len(reply.text) <= 4096
            for payload in reply.button_payloads():
                assert 1 <= len(payload.encode()) <= 64
        state = outcome.state
        check(state)


def check_named_buttons(replies: list[Reply], lang: str | None) -> None:
    """A text that says press “X” comes with a button X (or the location button X)."""
    t = CONTENT.catalogs.translator(lang)
    labels = {t(msgid) for msgid in NAMED}
    shown = {b.label for r in replies for row in r.buttons for b in row}
    shown |= {r.request_location for r in replies}
    for reply in replies:
        for quoted in set(PRESS.findall(reply.text)) & labels:
            assert quoted in shown, f"“{quoted}” named but not shown: {reply.text[:120]!r}"


def offered_replies(state: State) -> list[Reply]:
    """The replies the current screen shows, to draw an offered button from."""
    t = CONTENT.catalogs.translator(state.lang)
    today = datetime(2026, 11, 20).date()
    turn = Turn(state, t, datetime(2026, 11, 20, tzinfo=UTC), today, MemoryServices(), DIRECTORY)
    return screens.current(turn, CONTENT)
