"""How each screen looks: pure functions from the turn to replies."""

from __future__ import annotations

from dialogs import buttons as B
from dialogs import find, reminder_prefs
from dialogs import review as review_page
from dialogs.content import Content
from dialogs.events import Button, Reply
from dialogs.i18n import Translator
from dialogs.schema import Step, StepKind
from dialogs.state import Screen
from dialogs.summary import display
from dialogs.turn import Turn

CHUNK = 3500
"""Below Telegram's 4,096 characters, with room for a channel's own additions."""


def split(text: str, limit: int = CHUNK) -> list[str]:
    """Cut long text at line ends so that each piece fits one message."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces or [""]


def language_choice(t: Translator) -> Reply:
    """First contact: greet, and let the person pick a language."""
    langs = (Button("Tiếng Việt", f"{B.LANG}vi"), Button("English", f"{B.LANG}en"))
    return Reply(t("start.greeting"), (langs,))


def menu(t: Translator) -> Reply:
    """The main menu."""
    items = [
        Button(t("menu.declare"), B.DECLARE),
        Button(t("menu.find"), B.FIND),
        Button(t("menu.rights"), B.RIGHTS),
        Button(t("menu.talk"), B.TALK),
        Button(t("menu.reminders"), B.REMINDERS),
        Button(t("menu.erase"), B.ERASE),
        Button(t("menu.language"), B.CHANGE_LANG),
    ]
    return Reply(t("menu.title"), B.column(items))


def intro(t: Translator) -> Reply:
    """What the service is, that it is confidential, skippable and erasable; the hotlines."""
    return Reply(t("start.intro"))


def nav_row(t: Translator, step: Step | None) -> tuple[Button, ...]:
    """Skip (unless consent), back and menu, under every question."""
    row = [Button(t("nav.skip"), B.SKIP)] if step is None or step.skippable else []
    return (*row, Button(t("nav.back"), B.BACK), Button(t("nav.menu"), B.MENU))


def _step_buttons(turn: Turn, step: Step) -> list[tuple[Button, ...]]:
    """The answer buttons a step offers, above the navigation row."""
    t = turn.t
    if step.kind is StepKind.YESNO:
        return [
            (Button(t("common.yes"), f"{B.OPTION}yes"), Button(t("common.no"), f"{B.OPTION}no"))
        ]
    if step.kind is StepKind.CONSENT:
        return [(Button(t("consent.agree"), f"{B.OPTION}yes"),
                 Button(t("consent.refuse"), f"{B.OPTION}no"))]  # fmt: skip
    if step.kind is StepKind.MULTI:
        chosen = set(turn.state.pending)
        marked = [
            Button(("✓ " if o.value in chosen else "") + t(o.label), f"{B.OPTION}{o.value}")
            for o in step.options
        ]
        return [*B.rows(marked, 2), (Button(t("nav.done"), B.MULTI_DONE),)]
    extra = [Button(t(o.label), f"{B.OPTION}{o.value}") for o in step.options]
    if step.kind is StepKind.DATE:
        extra.append(Button(t("common.dont_remember"), B.UNKNOWN_DATE))
    return list(B.column(extra)) if step.kind is StepKind.CHOICE else list(B.rows(extra, 2))


def step_prompt(turn: Turn, content: Content, step: Step) -> Reply:
    """Ask one question, worded for who declares, with its section, hint, answer and buttons."""
    t, flow, state = turn.t, content.declaration, turn.state
    # The section, not a question count: a count jumps as answers add or drop questions.
    number, section = flow.section_of(step)
    parts = [t("step.progress", n=number, total=len(flow.sections), title=t(section.title))]
    parts.append(t(flow.prompt(step, state.answers)))
    if step.hint:
        parts.append(t(step.hint))
    if step.id in state.answers and not step.transient:
        parts.append(t("step.current", value=display(step, state.answers[step.id], t)))
    rows = [*_step_buttons(turn, step), nav_row(t, step)]
    if step.kind is StepKind.ADDRESS and state.search.get("address"):
        parts.append(t("decl.address.pick"))
        choices = [(b,) for r in find.pick(turn, find.candidates(turn)).buttons[:-1] for b in r]
        rows = [*choices, (Button(t("decl.address.keep"), B.KEEP_TYPED),), *rows]
    location = t("nav.share_location") if step.kind is StepKind.ADDRESS else ""
    return Reply("\n\n".join(parts), tuple(rows), request_location=location)


def review(turn: Turn, content: Content) -> list[Reply]:
    """Every answer, numbered and grouped by part; a button per part; then submit."""
    text, buttons = review_page.page(turn, content)
    texts = split(text)
    out = [Reply(x, sensitive=True) for x in texts[:-1]]
    out.append(Reply(texts[-1], buttons, sensitive=True))
    return out


def resume(turn: Turn, content: Content) -> Reply:
    """Welcome back: continue where you stopped, or start over."""
    t, state = turn.t, turn.state
    where = t("review.title")
    if state.step and content.declaration.has(state.step):
        where = t(content.declaration.step(state.step).label)
    return Reply(
        t("resume.prompt", where=where),
        B.column(
            [
                Button(t("resume.continue"), B.CONTINUE),
                Button(t("resume.restart"), B.RESTART),
                Button(t("nav.menu"), B.MENU),
            ]
        ),
    )


def rights(turn: Turn, content: Content) -> Reply:
    """The guide's front page, or one topic with its sub-topics."""
    t, guide = turn.t, content.rights
    topic = guide.topics.get(turn.state.topic or "")
    ids = topic.children if topic else guide.roots
    text = t(topic.body) if topic else t(guide.intro)
    items = [Button(t(guide.topics[i].title), f"{B.TOPIC}{i}") for i in ids]
    offers = [Button(t(label), payload) for label, payload in (topic.offers if topic else ())]
    nav = (Button(t("nav.back"), B.TOPIC_UP),) if topic else ()
    rows = (*B.column([*offers, *items]), (*nav, Button(t("nav.menu"), B.MENU)))
    return Reply(text, rows)


def erase_confirm(t: Translator) -> Reply:
    """Ask before erasing: it cannot be undone."""
    return Reply(
        t("erase.confirm"),
        B.column([Button(t("erase.yes"), B.ERASE_YES), Button(t("erase.no"), B.ERASE_NO)]),
    )


def emergency(t: Translator, *, self_harm: bool = False, both: bool = False) -> Reply:
    """Danger words: the emergency numbers first, and a way to a person.

    Self-harm puts 115 and 111 before 113; before a language is chosen, both languages.
    """
    if both:
        text = t("danger.self_harm.both") if self_harm else t("danger.emergency.both")
    else:
        text = t("danger.self_harm") if self_harm else t("danger.emergency")
    return Reply(text, ((Button(t("menu.talk"), B.TALK),),))


def current(turn: Turn, content: Content) -> list[Reply]:
    """Show the screen the person is on again, e.g. after a stale button."""
    state, t = turn.state, turn.t
    match state.screen:
        case Screen.NEW | Screen.LANG:
            return [language_choice(t)]
        case Screen.STEP if content.declaration.has(state.step):
            return [step_prompt(turn, content, content.declaration.step(state.step or ""))]
        case Screen.REVIEW:
            return review(turn, content)
        case Screen.REVIEW_PART:
            return [review_page.part_screen(turn, content)]
        case Screen.RESUME:
            return [resume(turn, content)]
        case Screen.RIGHTS:
            return [rights(turn, content)]
        case Screen.ERASE:
            return [erase_confirm(t)]
        case Screen.FIND:
            return [find.ask(turn)]
        case Screen.FIND_PICK:
            return [find.pick(turn, find.candidates(turn))]
        case Screen.FIND_RESULTS:
            return [find.results(turn, find.search_page(turn))]
        case Screen.REMINDERS:
            return [reminder_prefs.screen(turn)]
        case Screen.CODE_WORD:
            return [reminder_prefs.word_screen(turn)]
        case Screen.CASE if state.case:
            return []  # the conversation with the caseworker: nothing to show again
        case Screen.LEAVE if state.case:
            return [leave_confirm(t)]
    return [menu(t)]


def leave_confirm(t: Translator) -> Reply:
    """Ask before leaving the caseworker: a press on an old "menu" must not end a case."""
    return Reply(
        t("case.leave_confirm"),
        B.column(
            [Button(t("case.leave_yes"), B.LEAVE_YES), Button(t("case.leave_no"), B.LEAVE_NO)]
        ),
    )
