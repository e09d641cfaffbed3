"""What each button does, whichever screen it was offered on."""

from __future__ import annotations

from dialogs import buttons as B
from dialogs import casework, declaration, find, reminder_prefs, review, screens
from dialogs.content import Content
from dialogs.events import Reply
from dialogs.i18n import N_
from dialogs.ports import EraseOutcome
from dialogs.state import Screen, State
from dialogs.turn import Turn


def _choose_language(turn: Turn, content: Content, lang: str) -> None:
    """Store the choice; the first time, explain the service before the menu."""
    state = turn.state
    first_time = state.lang is None
    if lang in content.catalogs.languages:
        state.lang = lang
        turn.t = content.catalogs.translator(lang)
    if first_time:
        turn.say(screens.intro(turn.t))
    if state.case:  # chosen while in the queue (after a danger word at first contact)
        return casework.back_to_case(turn, erase=first_time)  # the intro names "erase"
    state.screen = Screen.MENU
    turn.say(screens.menu(turn.t))


async def _erase(turn: Turn) -> None:
    """Erase, then one short neutral message: what happened, and how to clear their side.

    It is the only message left in the chat, on a phone someone else may read.
    """
    outcome = await turn.services.erase()
    deleted = outcome is EraseOutcome.DELETED
    done = N_("erase.done_deleted") if deleted else N_("erase.done_anonymised")
    turn.say(Reply(turn.t(done) + "\n\n" + turn.t("erase.own_side")))
    turn.state = State()
    turn.erased = True


def _rights(turn: Turn, content: Content, payload: str) -> None:
    """Browse the rights guide: into a topic, or up one level."""
    state = turn.state
    if payload == B.TOPIC_UP:
        current = content.rights.topics.get(state.topic or "")
        state.topic = current.parent if current else None
    else:
        state.topic = payload.removeprefix(B.TOPIC)
    turn.say(screens.rights(turn, content))


async def press(turn: Turn, content: Content, payload: str) -> None:
    """Dispatch one offered button."""
    state, t = turn.state, turn.t
    if payload.startswith(B.LANG):
        return _choose_language(turn, content, payload.removeprefix(B.LANG))
    match payload:
        case B.MENU | B.ERASE_NO:
            state.screen = Screen.MENU
            if payload == B.ERASE_NO:
                turn.say(Reply(t("erase.cancelled")))
            return turn.say(screens.menu(t))
        case B.DECLARE if state.in_declaration:
            state.resume_to = Screen.REVIEW if state.step is None else Screen.STEP
            state.screen = Screen.RESUME
            return turn.say(screens.resume(turn, content))
        case B.DECLARE:
            return declaration.start(turn, content)
        case B.FIND:
            return find.start(turn)
        case B.MORE:
            return find.press(turn, payload)
        case B.RIGHTS:
            state.screen, state.topic = Screen.RIGHTS, None
            return turn.say(screens.rights(turn, content))
        case B.TALK:
            return await casework.enter(turn, reason="requested")
        case B.REMINDERS:
            return await reminder_prefs.open_screen(turn)
        case B.ERASE:
            state.screen = Screen.ERASE
            return turn.say(screens.erase_confirm(t))
        case B.ERASE_YES:
            return await _erase(turn)
        case B.CHANGE_LANG:
            state.screen = Screen.LANG
            return turn.say(screens.language_choice(t))
        case B.CONTINUE | B.RESTART:
            return declaration.resume(turn, content, payload)
        case B.SUBMIT:
            return await declaration.on_review(turn, content, payload)
    if payload.startswith((B.SERVICE, B.WARD)) and state.screen is not Screen.STEP:
        return find.press(turn, payload)
    if payload.startswith(B.PREFS):
        return await reminder_prefs.press(turn, payload)
    if payload.startswith(B.TOPIC):
        return _rights(turn, content, payload)
    if payload.startswith(B.EDIT):
        return await declaration.on_review(turn, content, payload)
    if payload.startswith(B.PART):
        return review.open_part(turn, content, payload.removeprefix(B.PART))
    if state.screen is Screen.REVIEW_PART:  # its one other button: back to the whole review
        return declaration.show_review(turn, content)
    await declaration.on_step(turn, content, payload, None, None)
