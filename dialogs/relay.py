"""While a case is open: the few presses and words the engine still answers; the rest relays."""

from __future__ import annotations

from dialogs import buttons as B
from dialogs import casework, screens
from dialogs.content import Content
from dialogs.events import Inbound, Kind
from dialogs.keywords import Word, keyword
from dialogs.presses import press
from dialogs.state import Screen
from dialogs.text import fold
from dialogs.turn import Turn

COMMANDS = {"erase": B.ERASE, "lang": B.CHANGE_LANG}
"""Other commands (/start, /menu, /help, unknown ones) ask whether to leave the caseworker."""
LEAVE_WORDS = {
    **dict.fromkeys(("co", "vang", "u", "ok", "yes", "y", "dong y"), B.LEAVE_YES),
    **dict.fromkeys(("khong", "ko", "k", "no", "n"), B.LEAVE_NO),
}
"""A typed yes or no to "leave the caseworker?", with or without diacritics."""
CONFIRMS = (Screen.LEAVE, Screen.ERASE, Screen.LANG)
"""Screens whose buttons may be typed (a label, a number) while in a case."""


def meant(event: Inbound, text: str, typed: str | None, screen: Screen) -> str | None:
    """The press an event stands for while in a case; None: words for the caseworker.

    typed is what the engine read as a button of a confirmation screen (label or number).
    """
    if event.kind is Kind.BUTTON:
        return event.payload
    if event.kind is Kind.COMMAND:
        name = (text.split() or ["/"])[0].lstrip("/").split("@")[0].lower()
        return COMMANDS.get(name, B.MENU)
    if event.kind is Kind.TEXT:
        word = keyword(text)
        if word is Word.MENU:
            return B.MENU
        if word is Word.ERASE:
            return B.ERASE
        if screen is Screen.LEAVE and not typed:
            return LEAVE_WORDS.get(fold(text).strip(" .!?"))
        return typed
    return None


async def during(turn: Turn, content: Content, event: Inbound, payload: str | None) -> None:
    """Answer the safety exits; relay everything else (no reply: a person will answer)."""
    state, t = turn.state, turn.t
    if payload is None:
        return casework.relayed(turn, event)
    if payload == B.MENU:
        state.screen = Screen.LEAVE
        return turn.say(screens.leave_confirm(t))
    if payload == B.ERASE:
        state.screen = Screen.ERASE
        return turn.say(screens.erase_confirm(t))
    if payload == B.CHANGE_LANG:
        state.screen = Screen.LANG
        return turn.say(screens.language_choice(t))
    if state.screen is Screen.ERASE and payload == B.ERASE_YES:
        return await press(turn, content, payload)
    if state.screen is Screen.ERASE and payload == B.ERASE_NO:
        return casework.back_to_case(turn, note="erase.cancelled")
    if state.screen is Screen.LEAVE and payload == B.LEAVE_YES:
        return await casework.leave(turn)
    if state.screen is Screen.LANG and payload.startswith(B.LANG):
        return await press(turn, content, payload)
    casework.back_to_case(turn)  # "talk" again, "stay", or a button of an older screen
