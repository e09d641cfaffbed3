"""The conversation with a caseworker, from the person's side: the queue, the relay, the end.

While a case is open (state.case), what the person sends is for the caseworker: the engine
answers only the safety exits (danger words, erase, "menu"), and the application relays
the rest. A caseworker's actions arrive as SYSTEM events and are told here.
"""

from __future__ import annotations

from babel.dates import format_date, format_time, get_day_names

from dialogs import buttons as B
from dialogs import screens
from dialogs.content import Content
from dialogs.events import Button, Inbound, Reply
from dialogs.i18n import N_, Translator
from dialogs.ports import Queued
from dialogs.state import Screen, State
from dialogs.turn import Turn

WAITING, ACTIVE = "waiting", "active"
VOICE = frozenset({"voice", "audio", "video_note"})
STICKER = "sticker"
STORY_WORDS = 8
"""A message this long, typed at the menu, is someone telling their story: offer a person."""


def commune_of(state: State) -> str | None:
    """The new commune code of the address being declared, to route the case to its team."""
    address = state.answers.get("address")
    code = address.get("ward_code") if isinstance(address, dict) else None
    return str(code) if code else None


def _hours(t: Translator, queued: Queued) -> str:
    """ "Thứ Hai–Thứ Sáu, 7:30–17:00": the days as a range when they follow each other."""
    names = get_day_names("wide", locale=t.lang)
    days = list(queued.days)
    consecutive = days == list(range(days[0], days[0] + len(days))) if days else False
    if consecutive and len(days) > 2:
        span = f"{names[days[0]]}–{names[days[-1]]}"
    else:
        span = ", ".join(names[d] for d in days)
    opens = format_time(queued.opens, "H:mm", locale=t.lang)
    closes = format_time(queued.closes, "H:mm", locale=t.lang)
    return f"{span}, {opens}–{closes}"


def _when(t: Translator, queued: Queued) -> str:
    """The next opening, e.g. "7:30, Thứ Hai, ngày 7 tháng 12"."""
    moment = queued.next_opening
    if moment is None:
        return ""
    day = format_date(moment.date(), "EEEE d/M" if t.lang == "vi" else "EEEE d MMMM", locale=t.lang)
    return f"{format_time(moment.time(), 'H:mm', locale=t.lang)}, {day}"


def leave_button(t: Translator) -> tuple[Button, ...]:
    """The way back to the menu, which first asks whether to leave the caseworker."""
    return (Button(t("nav.menu"), B.MENU),)


def queued_notice(t: Translator, queued: Queued) -> Reply:
    """A person will answer, here; the place in the queue; the hours, and 111 outside them."""
    if queued.position < 1:  # a caseworker already has the case
        return Reply(t("case.already_active"), (leave_button(t),))
    parts = [t("case.queued", position=queued.position)]
    if queued.in_hours:
        parts.append(t("case.hours_open", hours=_hours(t, queued)))
    else:
        parts.append(t("case.hours_closed", hours=_hours(t, queued), when=_when(t, queued)))
    parts.append(t("case.write_here"))
    return Reply("\n\n".join(parts), (leave_button(t),))


def entered(turn: Turn, queued: Queued) -> None:
    """The person is now in the queue: what they send goes to the caseworker."""
    state = turn.state
    state.case = WAITING if queued.position >= 1 else ACTIVE
    state.relayed, state.screen = False, Screen.CASE
    turn.say(queued_notice(turn.t, queued))


async def enter(turn: Turn, *, reason: str) -> None:
    """Ask for a person (the menu, a "talk" button, the offer after misunderstandings)."""
    state = turn.state
    if state.case:
        return back_to_case(turn)
    queued = await turn.services.request_handoff(
        urgent=state.urgent, reason=reason, commune=commune_of(state)
    )
    entered(turn, queued)


def back_to_case(turn: Turn, *, note: str | None = None, erase: bool = False) -> None:
    """Back in the conversation: say so briefly, with the way out (and erase, if named)."""
    state, t = turn.state, turn.t
    state.screen = Screen.CASE if state.lang else Screen.LANG
    if note:
        turn.say(Reply(t(note)))
    told = N_("case.already_active") if state.case == ACTIVE else N_("case.already_waiting")
    rows = (leave_button(t), (Button(t("menu.erase"), B.ERASE),)) if erase else (leave_button(t),)
    turn.say(Reply(t(told), rows))
    if state.lang is None:
        turn.say(screens.language_choice(t))


async def leave(turn: Turn) -> None:
    """The person chose to leave: the case closes, and the menu comes back."""
    await turn.services.leave_case()
    _closed(turn.state)
    turn.say(Reply(turn.t("case.left")))
    turn.say(screens.menu(turn.t))


def _closed(state: State) -> None:
    """No case any more; a new danger word opens a new urgent one."""
    state.case, state.relayed, state.urgent, state.screen = None, False, False, Screen.MENU


def relayed(turn: Turn, event: Inbound) -> None:
    """What the person sent is for the caseworker: no answer, except two honest ones.

    A file too large is not stored: the person is told, and the caseworker sees that one
    came, without it. While nobody has joined
    yet, the first message gets one short "sent": silence could read as a broken bot, and
    more than once would drown the caseworker's answer.
    """
    state, t = turn.state, turn.t
    if state.screen is not Screen.LANG or state.lang:
        state.screen = Screen.CASE
    turn.relay = True
    if event.data.get("too_big"):
        return turn.say(too_big(t, event))
    if state.case == WAITING and not state.relayed:
        state.relayed = True
        turn.say(Reply(t("case.relayed")))


def too_big(t: Translator, event: Inbound) -> Reply:
    """The file was refused for its size: say the limit when the channel gave it."""
    limit = event.data.get("limit")
    if isinstance(limit, int) and limit > 0:
        megabytes = max(1, round(limit / 1_000_000))
        return Reply(t("media.too_big", limit=f"{megabytes} MB"))
    return Reply(t("media.too_big_any"))


def media(turn: Turn, event: Inbound) -> Reply:
    """Outside a case: what the assistant cannot read, and that a person can."""
    t = turn.t
    if event.data.get("too_big"):
        return too_big(t, event)
    kind = str(event.data.get("media") or "")
    msgid = N_("media.voice") if kind in VOICE else N_("media.file")
    if kind == STICKER:
        msgid = N_("media.sticker")
    return Reply(t(msgid), ((Button(t("menu.talk"), B.TALK),),))


def offer(turn: Turn) -> Reply:
    """Not understood again: perhaps the person wants a human, not a button."""
    t = turn.t
    talk = (Button(t("menu.talk"), B.TALK),)
    if turn.state.screen is Screen.MENU:  # the menu's own buttons, under the offer
        return Reply(t("handoff.offer"), screens.menu(t).buttons)
    return Reply(t("handoff.offer"), (talk,))


def on_system(turn: Turn, event: Inbound) -> None:
    """A caseworker joined, replied, handed over, closed or reopened the case."""
    state, t = turn.state, turn.t
    kind = event.payload
    in_dialog = state.screen in (Screen.LEAVE, Screen.ERASE, Screen.LANG)
    if kind in ("case:joined", "case:reply", "case:reopened"):
        if state.case != ACTIVE:
            state.case, state.relayed = ACTIVE, False
        if not in_dialog:
            state.screen = Screen.CASE
    if kind == "case:joined":
        code = str(event.data.get("code") or "")
        turn.say(Reply(t("case.joined", code=code)))
    elif kind == "case:reply":
        for piece in screens.split(t("case.reply", text=event.text)):
            turn.say(Reply(piece, sensitive=True))
    elif kind == "case:transferred":
        state.case = state.case or WAITING
        turn.say(Reply(t("case.transferred")))
    elif kind == "case:reopened":
        turn.say(Reply(t("case.reopened"), (leave_button(t),)))
    elif kind == "case:closed":  # the menu, with its "talk" and "erase", whatever was open
        _closed(state)
        turn.say(Reply(t("case.closed")))
        turn.say(screens.menu(t))


def not_understood(turn: Turn, content: Content, text: str = "") -> None:
    """Sorry, and the screen again; the second time in a row (or a story), offer a person."""
    state = turn.state
    state.misunderstood += 1
    turn.confused = True
    story = state.screen is Screen.MENU and len(text.split()) >= STORY_WORDS
    if state.misunderstood >= 2 or story:
        turn.say(offer(turn))
        if state.screen is not Screen.MENU:
            turn.say(screens.current(turn, content))
        return
    turn.say(Reply(turn.t("error.use_buttons")))
    turn.say(screens.current(turn, content))
