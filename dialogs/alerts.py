"""Danger: the emergency numbers at once, and the person to the top of the caseworker queue."""

from __future__ import annotations

from dialogs import casework, screens
from dialogs.danger import ALERT_ANSWER, Detection
from dialogs.state import Screen
from dialogs.turn import Turn


async def danger(turn: Turn, found: Detection = ALERT_ANSWER) -> None:
    """Show 113 and 111 (and 115 first for self-harm); queue the person first, saying why.

    Every detection goes to the open case, so the caseworker reads all the words that
    raised it; with no case open (never, or closed since), a new urgent one opens, so a
    second emergency reaches a person as the first did. The person is then in the case:
    what they write next goes to the caseworker.
    """
    state = turn.state
    first_contact = state.lang is None
    turn.say(screens.emergency(turn.t, self_harm=found.self_harm, both=first_contact))
    if not state.urgent:
        state.urgent = True
        await turn.services.mark_urgent("danger")
    queued = await turn.services.request_handoff(
        urgent=True, reason="danger", note=found.note(), commune=casework.commune_of(state)
    )
    if state.case:
        return
    casework.entered(turn, queued)
    if first_contact:  # the language is still to choose: the choice follows
        state.screen = Screen.LANG
        turn.say(screens.language_choice(turn.t))
