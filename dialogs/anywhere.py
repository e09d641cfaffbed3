"""What arrives or works whatever screen is open: reminders, their answers, a link command.

None of these moves the person: a reminder lands over a declaration's question or in the
middle of a case, and its answer is taken there, so the engine asks here first.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dialogs import casework, link, reminder_prefs, reminders
from dialogs.events import Inbound, Kind
from dialogs.state import Screen
from dialogs.turn import Turn


def on_system(turn: Turn, event: Inbound, zone: ZoneInfo) -> None:
    """A reminder fell due, or a caseworker acted on the case."""
    if not reminders.on_system(turn, event, zone):
        casework.on_system(turn, event)


async def answered(turn: Turn, event: Inbound, text: str) -> bool:
    """A reminder's answer, or a caseworker's /link: answered here, the screen unmoved."""
    return await reminders.answered(turn, event, text) or await link.linked(turn, event)


async def typed(turn: Turn, event: Inbound, text: str) -> bool:
    """Text typed where the screen waits for free text of its own (the code word)."""
    if turn.state.screen is Screen.CODE_WORD and event.kind is Kind.TEXT:
        await reminder_prefs.typed_word(turn, text)
        return True
    return False
