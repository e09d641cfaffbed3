"""The engine: conversation state and one inbound event in, replies and new state out."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dialogs import anywhere, casework, declaration, find, relay, review, screens, typed
from dialogs import buttons as B
from dialogs.alerts import danger
from dialogs.compose import compose
from dialogs.content import Content
from dialogs.directory import DirectoryPort
from dialogs.events import Inbound, Kind, Reply
from dialogs.keywords import Word, keyword
from dialogs.ports import CaseServices
from dialogs.presses import press
from dialogs.schema import StepKind
from dialogs.state import Screen, State
from dialogs.text import clean, fold
from dialogs.turn import Turn

RESUME_AFTER = timedelta(hours=1)
"""After this much silence, a message is not taken as an answer: we ask where to go on."""


@dataclass
class Outcome:
    """What one event produced; `erased` tells the caller to keep no state at all."""

    replies: list[Reply]
    state: State
    erased: bool = False
    lang: str | None = field(default=None)
    relay: bool = False
    """The event is words (or media, a location) for the caseworker of the open case."""


def hinted_language(hint: str | None) -> str:
    """Vietnamese unless the channel says English."""
    return "en" if (hint or "").lower().startswith("en") else "vi"


class Engine:
    """Stateless between calls: everything it needs arrives with the event."""

    def __init__(
        self, content: Content, directory: DirectoryPort, timezone: str = "Asia/Ho_Chi_Minh"
    ) -> None:
        self.content, self.directory = content, directory
        self.tz = ZoneInfo(timezone)

    async def handle(
        self, state: State, event: Inbound, services: CaseServices, now: datetime
    ) -> Outcome:
        """Apply one event; the caller's state is never modified in place."""
        work = copy.deepcopy(state)
        t = self.content.catalogs.translator(work.lang or hinted_language(event.lang_hint))
        turn = Turn(work, t, now, now.astimezone(self.tz).date(), services, self.directory)
        if event.kind is Kind.SYSTEM:  # told as it is, over whatever screen is open
            anywhere.on_system(turn, event, self.tz)
            return Outcome(compose(turn.replies), turn.state, False, turn.state.lang)
        text = clean(event.text)
        if await anywhere.answered(turn, event, text):  # from any screen, even in a case
            return Outcome(compose(turn.replies), turn.state, False, turn.state.lang)
        pressed = event.kind is Kind.TEXT and self._label_payload(turn, text) is not None
        words = event.kind in (Kind.TEXT, Kind.MEDIA) and not pressed  # a caption counts
        alarmed = self.content.danger.detect(text if words else "")
        if alarmed:
            # The emergency reply is the answer: not "no commune of that name", nor "sorry?".
            await danger(turn, alarmed)
            turn.relay = True  # the case is open now: the words that raised it are its first
        elif work.case:
            typed_press = self._confirm_press(turn, text) if event.kind is Kind.TEXT else None
            meant = relay.meant(event, text, typed_press, work.screen)
            await relay.during(turn, self.content, event, meant)
        else:
            await self._dispatch(turn, event, text)
        if not turn.confused:
            turn.state.misunderstood = 0
        final = turn.state
        final.last_seen = now.isoformat()
        replies = turn.replies
        if not turn.erased:
            shown = screens.current(turn, self.content)
            replies = typed.with_keys(replies, typed.keys(turn, self.content, shown))
        for_caseworker = turn.relay and not turn.erased
        return Outcome(compose(replies), final, turn.erased, final.lang, for_caseworker)

    def _was_away(self, turn: Turn, event: Inbound) -> bool:
        """A long silence in the middle of a declaration, ended by anything but a button."""
        seen = turn.state.seen_at()
        return (
            event.kind is not Kind.BUTTON
            and turn.state.screen in (Screen.STEP, Screen.REVIEW, Screen.REVIEW_PART)
            and seen is not None
            and turn.now - seen > RESUME_AFTER
        )

    def _label_payload(self, turn: Turn, text: str) -> str | None:
        """Typed text that is a button's label counts as pressing it (Zalo, terminal)."""
        wanted = fold(text).removeprefix("✓ ").strip()
        if not wanted:
            return None
        for reply in screens.current(turn, self.content):
            for row in reply.buttons:
                for button in row:
                    if fold(button.label).removeprefix("✓ ").strip() == wanted:
                        return button.payload
        return None

    def _confirm_press(self, turn: Turn, text: str) -> str | None:
        """In a case, a typed label or number of the leave, erase or language question."""
        if turn.state.screen not in relay.CONFIRMS:
            return None
        shown = screens.current(turn, self.content)
        choice = typed.choose(text, typed.keys(turn, self.content, shown), multi=False)
        if choice and len(choice.payloads) == 1 and choice.payloads[0] != B.TALK:
            return choice.payloads[0]
        return self._label_payload(turn, text)

    def _offered(self, turn: Turn) -> set[str]:
        """Payloads that the current screen offers."""
        return {p for r in screens.current(turn, self.content) for p in r.button_payloads()}

    async def _dispatch(self, turn: Turn, event: Inbound, text: str) -> None:
        """Route the event by its kind and the screen the person is on."""
        state = turn.state
        if event.kind is Kind.COMMAND:
            return await self._command(turn, text)
        if event.kind is Kind.MEDIA:  # outside a case: say what cannot be read, and who can
            turn.say(casework.media(turn, event))
            state.screen = Screen.LANG if state.screen is Screen.NEW else state.screen
            return turn.say(screens.current(turn, self.content))
        if state.screen is Screen.NEW and not event.payload.startswith(B.LANG):
            state.screen = Screen.LANG
            return turn.say(screens.language_choice(turn.t))
        if self._was_away(turn, event):
            state.resume_to, state.screen = state.screen, Screen.RESUME
            return turn.say(screens.resume(turn, self.content))
        # A typed number after a long silence is text like any other: maybe not the same person.
        shown = screens.current(turn, self.content) if event.kind is Kind.TEXT else []
        if typed.asks_location(shown) and (point := typed.coordinates(text)):
            event = replace(event, kind=Kind.LOCATION, location=point)  # as if shared
        choice = self._typed_choice(turn, text, shown) if event.kind is Kind.TEXT else None
        if choice and choice.payloads:
            return await self._choose(turn, choice.payloads)
        if choice:  # several numbers that cannot go together: say why, show the screen again
            turn.say(Reply(turn.t(choice.problem)))
            return turn.say(shown)
        payload = event.payload if event.kind is Kind.BUTTON else self._label_payload(turn, text)
        if payload:
            if payload in B.ALWAYS or payload in self._offered(turn):
                return await self._press(turn, payload)
            turn.say(Reply(turn.t("error.stale_button")))
            return turn.say(screens.current(turn, self.content))
        if event.kind is Kind.TEXT and (word := keyword(text)):
            return await self._word(turn, word)
        if await anywhere.typed(turn, event, text):
            return None
        if event.kind is Kind.LOCATION and event.location and state.screen is not Screen.STEP:
            return find.by_location(turn, *event.location)
        searching = (Screen.FIND, Screen.FIND_PICK, Screen.FIND_RESULTS)
        if state.screen in searching and event.kind is Kind.TEXT and text:
            return find.by_name(turn, text)
        if state.screen is Screen.STEP and self.content.declaration.has(state.step):
            location = event.location if event.kind is Kind.LOCATION else None
            body = text if event.kind is Kind.TEXT else None
            return await declaration.on_step(turn, self.content, None, body, location)
        casework.not_understood(turn, self.content, text)

    def _typed_choice(self, turn: Turn, text: str, shown: list[Reply]) -> typed.Choice | None:
        """Typed numbers as the buttons of the screen; None when they are not meant so."""
        flow, state = self.content.declaration, turn.state
        multi = (
            state.screen is Screen.STEP
            and flow.has(state.step)
            and flow.step(state.step or "").kind is StepKind.MULTI
        )
        if typed.typed_answer(turn, self.content):
            return None  # "3" is how long, "1995" a year: the text is the answer
        return typed.choose(text, typed.keys(turn, self.content, shown), multi)

    async def _choose(self, turn: Turn, payloads: tuple[str, ...]) -> None:
        """Press one button; several numbers on a multiple choice tick them all, shown once."""
        if len(payloads) == 1:
            return await self._press(turn, payloads[0])
        state, t = turn.state, turn.t
        step = self.content.declaration.step(state.step or "")
        values = [p.removeprefix(B.OPTION) for p in payloads if p.startswith(B.OPTION)]
        alone = [o for o in map(step.option, values) if o is not None and o.exclusive]
        if alone and len(values) > 1:  # "no papers" with a paper: which one is meant?
            turn.say(Reply(t("error.exclusive_together", option=t(alone[0].label))))
            return turn.say(screens.current(turn, self.content))
        for value in values:  # typed numbers tick; one already ticked stays ticked
            if value not in state.pending:
                state.pending = step.toggled(state.pending, value)
        done = B.MULTI_DONE if B.MULTI_DONE in payloads else None
        await declaration.on_step(turn, self.content, done, None, None)

    async def _command(self, turn: Turn, text: str) -> None:
        """Slash commands; an unknown one gets the menu."""
        name = (text.split() or ["/"])[0].lstrip("/").split("@")[0].lower()
        state = turn.state
        if name == "start":
            return await self._word(turn, Word.START)
        if name == "lang":
            state.screen = Screen.LANG
            return turn.say(screens.language_choice(turn.t))
        if name == "erase":
            return await self._press(turn, B.ERASE)
        if name == "help":
            turn.say(screens.intro(turn.t))
        state.screen = Screen.MENU
        turn.say(screens.menu(turn.t))

    async def _word(self, turn: Turn, word: Word) -> None:
        """Typed navigation words."""
        state = turn.state
        if word is Word.START:
            if state.screen in (Screen.NEW, Screen.LANG) or state.lang is None:
                state.screen = Screen.LANG
                return turn.say(screens.language_choice(turn.t))
            if state.in_declaration:
                return await self._press(turn, B.DECLARE)
            return await self._press(turn, B.MENU)
        if word is Word.ERASE:
            return await self._press(turn, B.ERASE)
        if state.screen is Screen.STEP and word in (Word.BACK, Word.SKIP):
            payload = B.BACK if word is Word.BACK else B.SKIP
            return await declaration.on_step(turn, self.content, payload, None, None)
        if state.screen is Screen.REVIEW and word is Word.BACK:
            return declaration.back(turn, self.content)
        if state.screen is Screen.REVIEW and word is Word.SKIP:
            return turn.say(screens.review(turn, self.content))
        if state.screen is Screen.REVIEW_PART and word is Word.BACK:
            return declaration.show_review(turn, self.content)
        if state.screen is Screen.REVIEW_PART and word is Word.SKIP:
            return turn.say(review.part_screen(turn, self.content))
        if state.screen is Screen.RIGHTS and word is Word.BACK:
            return await self._press(turn, B.TOPIC_UP)
        await self._press(turn, B.MENU)

    async def _press(self, turn: Turn, payload: str) -> None:
        """A button press that the current screen offers."""
        await press(turn, self.content, payload)
