"""Typed choices: button numbers and coordinates, for channels where people type.

The numbers belong to the screen, not to the message that showed them: they come from the
screen's buttons in reading order, so a tick, or an alert printed above, never shifts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dialogs import buttons as B
from dialogs import find, review
from dialogs.content import Content
from dialogs.events import Button, Reply
from dialogs.i18n import N_
from dialogs.schema import StepKind
from dialogs.state import Screen
from dialogs.turn import Turn

TALK_KEY = "0"
"""Typed anywhere, a person: the key of "talk to a caseworker" wherever the screen lacks it."""
TYPED_ANSWERS = frozenset(
    {StepKind.TEXT, StepKind.DATE, StepKind.PHONE, StepKind.ID_NUMBER, StepKind.ADDRESS}
)
"""Questions answered by typing: there every number is the answer (a year, a phone, "3" for
how long), so their buttons get no numbers and are pressed by their words."""

_NUMBERS = re.compile(r"\d+(?:\s*[,;]?\s*\d+)*")
_DEGREES = re.compile(r"[-+]?\d{1,3}\.\d+")


@dataclass(frozen=True)
class Keys:
    """One screen's typed keys, each to the payload it presses."""

    payloads: dict[str, str]
    talk: bool = True
    """Whether "0" asks for a caseworker here (not where a number is an answer)."""

    def key(self, payload: str) -> str:
        """The key shown beside a button; "0" for a caseworker off this screen; else none."""
        for key, offered in self.payloads.items():
            if offered == payload:
                return key
        return TALK_KEY if payload == B.TALK and self.talk else ""


@dataclass(frozen=True)
class Choice:
    """What typed numbers meant: buttons to press, or a message id saying why not."""

    payloads: tuple[str, ...] = ()
    problem: str = ""


def keys(turn: Turn, content: Content, shown: list[Reply]) -> Keys:
    """Number the screen's buttons in reading order, after any numbers its text shows.

    On the review the questions' numbers open them; on a page of results the places keep
    theirs, so "2" is never both the second place and a button.
    """
    if typed_answer(turn, content):
        return Keys({}, talk=False)
    fixed: dict[str, str] = {}
    skip = 0
    if turn.state.screen in (Screen.REVIEW, Screen.REVIEW_PART):
        fixed = review.numbers(turn, content)
        skip = len(fixed)
    elif turn.state.screen is Screen.FIND_RESULTS:
        page = find.search_page(turn)
        skip = page.offset + len(page.places)
    taken = set(fixed.values())
    rest = [p for p in dict.fromkeys(p for r in shown for p in r.button_payloads())]
    rest = [p for p in rest if p not in taken]
    return Keys(fixed | {str(skip + n): p for n, p in enumerate(rest, 1)})


def with_keys(replies: list[Reply], keys: Keys) -> list[Reply]:
    """The replies with each button's key set, for channels that print them."""

    def keyed(row: tuple[Button, ...]) -> tuple[Button, ...]:
        return tuple(Button(b.label, b.payload, keys.key(b.payload)) for b in row)

    return [replace(r, buttons=tuple(map(keyed, r.buttons))) for r in replies]


def typed_answer(turn: Turn, content: Content) -> bool:
    """True on a question whose answer is typed, where "2024" is a year and not a button."""
    state, flow = turn.state, content.declaration
    return (
        state.screen is Screen.STEP
        and flow.has(state.step)
        and flow.step(state.step or "").kind in TYPED_ANSWERS
    )


def choose(text: str, keys: Keys, multi: bool) -> Choice | None:
    """Read "3", "1, 4" or "1 4" as buttons; None when the text is not a choice at all.

    A number no button has is left as text ("113", a place's number on a page of results):
    where buttons show no numbers, as on Telegram, a range of numbers would mean nothing.
    """
    if not _NUMBERS.fullmatch(text):
        return None
    wanted = [int(n) for n in dict.fromkeys(re.findall(r"\d+", text))]
    if wanted == [int(TALK_KEY)] and keys.talk:
        return Choice((B.TALK,))
    picked = [keys.payloads.get(str(n)) for n in wanted]
    if None in picked:
        return None
    payloads = tuple(p for p in picked if p is not None)
    if len(payloads) == 1:
        return Choice(payloads)
    if not multi:
        return Choice(problem=N_("error.one_number"))
    others = [p for p in payloads if not p.startswith(B.OPTION)]
    if others and others != [B.MULTI_DONE]:
        return Choice(problem=N_("error.options_only"))
    ticks = tuple(p for p in payloads if p.startswith(B.OPTION))
    return Choice((*ticks, *others))


def _degrees(part: str) -> float | None:
    """One coordinate with its decimals, with a dot or a Vietnamese decimal comma."""
    part = part.strip()
    if part.count(",") == 1 and "." not in part:
        part = part.replace(",", ".")
    return float(part) if _DEGREES.fullmatch(part) else None


def coordinates(text: str) -> tuple[float, float] | None:
    """ "20.71, 106.71", "20.71 106.71" or "20,71; 106,71" as (lat, lon); else None.

    A comma is a separator only where it cannot be a decimal comma: "20,71,106,71" is refused.
    """
    text = text.strip()
    for separator in (r"\s*;\s*", r",\s+", r"\s+", r"\s*,\s*"):
        halves = re.split(separator, text)
        if len(halves) != 2:
            continue
        lat, lon = _degrees(halves[0]), _degrees(halves[1])
        if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
            return lat, lon
    return None


def asks_location(shown: list[Reply]) -> bool:
    """True when the screen asks for a location, so typed coordinates stand for one."""
    return any(r.request_location for r in shown)
