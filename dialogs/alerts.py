"""Danger: the emergency numbers at once, and the person to the top of the caseworker queue."""

from __future__ import annotations

from dialogs import screens
from dialogs.turn import Turn


async def danger(turn: Turn) -> None:
    """Show 113 and 111; the first time, mark the person urgent and queue them first."""
    turn.say(screens.emergency(turn.t))
    if not turn.state.urgent:
        turn.state.urgent = True
        await turn.services.mark_urgent("danger")
        await turn.services.request_handoff(urgent=True, reason="danger")
