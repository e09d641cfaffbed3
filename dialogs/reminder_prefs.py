"""The person's reminder preferences: whether to be reminded, when, and in which words.

Consent to later contact is its own purpose, given or withdrawn here at any time, and
withdrawing it stops every pending reminder at once (the application does that when the
withdrawal is recorded). Safe hours and the code word matter only while consent is on,
so they are asked only then: nothing is collected that cannot be used.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import buttons as B
from dialogs.events import Button, Reply
from dialogs.i18n import N_
from dialogs.state import Screen
from dialogs.text import fold
from dialogs.turn import Turn

CONTACT = "contact"
"""The consent purpose that reminders need (the declaration's consent_contact)."""
HOURS = {
    "morning": N_("decl.safe_hours.morning"),
    "afternoon": N_("decl.safe_hours.afternoon"),
    "evening": N_("decl.safe_hours.evening"),
    "any": N_("decl.safe_hours.any"),
}
"""The safe hours a person can choose, with the declaration's own words for them."""
WINDOWS = {"morning": (7, 11), "afternoon": (13, 17), "evening": (18, 21), "any": (7, 21)}
"""The hours each choice means (from, to), as shown and as kept: bot.services.reminders
.safe_hours reads them from here. No choice means "any"."""
CODE_WORD_MAX = 30
CLEAR = frozenset({"khong", "ko", "none", "no", "bo", "-"})
"""A typed "none" removes the code word: reminders then use a neutral noun."""


def _mark(chosen: bool) -> str:
    return "✓ " if chosen else ""


def screen(turn: Turn) -> Reply:
    """What reminders are, what is set now, and the buttons to change it."""
    t, prefs = turn.t, turn.state.prefs
    on = prefs.get("consent") is True
    parts = [t("prefs.intro"), t("prefs.on") if on else t("prefs.off")]
    rows: list[tuple[Button, ...]] = []
    if on:
        hours = prefs.get("safe_hours")
        shown = t(HOURS[hours]) if hours in HOURS else t("prefs.hours_unset")
        start, end = WINDOWS[hours if hours in WINDOWS else "any"]
        parts.append(t("prefs.hours", hours=shown, window=f"{start}:00–{end}:00"))
        word = prefs.get("code_word")
        parts.append(t("prefs.word", word=word) if word else t("prefs.no_word"))
        choices = [
            Button(_mark(hours == value) + t(label), f"{B.PREFS_HOURS}{value}")
            for value, label in HOURS.items()
        ]
        rows += [*B.rows(choices, 2), (Button(t("prefs.set_word"), B.PREFS_WORD),)]
        rows.append((Button(t("prefs.turn_off"), B.PREFS_OFF),))
    else:
        rows.append((Button(t("prefs.turn_on"), B.PREFS_ON),))
    rows.append((Button(t("nav.menu"), B.MENU),))
    return Reply("\n\n".join(parts), tuple(rows))


def word_screen(turn: Turn) -> Reply:
    """Ask for the code word; offer to remove the one set, or to go back."""
    t = turn.t
    rows = [(Button(t("prefs.clear_word"), B.PREFS_WORD_NONE),)]
    if not turn.state.prefs.get("code_word"):
        rows = []
    rows.append((Button(t("nav.back"), B.PREFS_BACK),))
    return Reply(t("prefs.word_prompt", limit=CODE_WORD_MAX), tuple(rows))


async def open_screen(turn: Turn, note: str | None = None) -> None:
    """Read the preferences afresh and show them (after a note, if one is given)."""
    prefs = await turn.services.reminder_prefs()
    state = turn.state
    state.prefs = {
        "consent": prefs.consent, "safe_hours": prefs.safe_hours, "code_word": prefs.code_word,
    }  # fmt: skip
    state.screen = Screen.REMINDERS
    if note:
        turn.say(Reply(turn.t(note)))
    turn.say(screen(turn))


async def press(turn: Turn, payload: str) -> None:
    """One button of the preferences screens."""
    services, state = turn.services, turn.state
    if payload == B.PREFS_ON:
        await services.record_consent(CONTACT, True)
        return await open_screen(turn, N_("prefs.turned_on"))
    if payload == B.PREFS_OFF:
        await services.record_consent(CONTACT, False)
        return await open_screen(turn, N_("prefs.turned_off"))
    if payload == B.PREFS_WORD:
        state.screen = Screen.CODE_WORD
        return turn.say(word_screen(turn))
    if payload == B.PREFS_WORD_NONE:
        await services.set_reminder_prefs(code_word=None)
        return await open_screen(turn, N_("prefs.word_cleared"))
    hours = payload.removeprefix(B.PREFS_HOURS)
    if payload.startswith(B.PREFS_HOURS) and hours in HOURS:
        await services.set_reminder_prefs(safe_hours=hours)
        state.prefs["safe_hours"] = hours
        return turn.say(replace(screen(turn), replaces=True))  # a tick moved: edit in place
    await open_screen(turn)  # back, or an older screen's button


async def typed_word(turn: Turn, text: str) -> None:
    """The code word as typed; "none" removes it; too long is refused with the limit."""
    word = " ".join(text.split())
    if not word:
        return turn.say(word_screen(turn))
    if fold(word).strip(" .!") in CLEAR:
        await turn.services.set_reminder_prefs(code_word=None)
        return await open_screen(turn, N_("prefs.word_cleared"))
    if len(word) > CODE_WORD_MAX:
        turn.say(Reply(turn.t("prefs.word_too_long", limit=CODE_WORD_MAX)))
        return turn.say(word_screen(turn))
    await turn.services.set_reminder_prefs(code_word=word)
    await open_screen(turn, N_("prefs.word_saved"))
