"""Danger: the emergency numbers at once, and the person to the top of the caseworker queue."""

from __future__ import annotations

from dialogs import screens
from dialogs.danger import ALERT_ANSWER, Detection
from dialogs.turn import Turn


async def danger(turn: Turn, found: Detection = ALERT_ANSWER) -> None:
    """Show 113 and 111 (and 115 first for self-harm); queue the person first, saying why.

    Every detection goes to the open request, so the caseworker reads all the words that
    raised it; a request closed since then is opened again, urgent.
    """
    first_contact = turn.state.lang is None
    turn.say(screens.emergency(turn.t, self_harm=found.self_harm, both=first_contact))
    if not turn.state.urgent:
        turn.state.urgent = True
        await turn.services.mark_urgent("danger")
    await turn.services.request_handoff(urgent=True, reason="danger", note=found.note())
