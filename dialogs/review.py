"""The review page: answers numbered and grouped by part, so 32 edits are not 32 buttons."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs import buttons as B
from dialogs.content import Content
from dialogs.events import Button, Reply
from dialogs.schema import Section, Step
from dialogs.state import Screen
from dialogs.summary import display
from dialogs.turn import Turn


@dataclass(frozen=True)
class Part:
    """One section as the review shows it: its number in the form and its numbered questions."""

    number: int
    section: Section
    questions: tuple[tuple[int, Step], ...]


def parts(turn: Turn, content: Content) -> list[Part]:
    """The sections that have questions, each question numbered across the whole form."""
    flow = content.declaration
    shown = [s for s in flow.visible(turn.state.answers, turn.ctx) if not s.transient]
    number = {s.id: n for n, s in enumerate(shown, 1)}
    out = []
    for n, section in enumerate(flow.sections, 1):
        mine = tuple((number[s.id], s) for s in shown if s.section == section.id)
        if mine:
            out.append(Part(n, section, mine))
    return out


def numbers(turn: Turn, content: Content) -> dict[str, str]:
    """Each question's number to its edit payload: typing "5" opens question 5."""
    return {str(n): f"{B.EDIT}{s.id}" for p in parts(turn, content) for n, s in p.questions}


def _lines(turn: Turn, part: Part) -> list[str]:
    """A part's heading, then one numbered line per answer."""
    t, answers = turn.t, turn.state.answers
    head = t("review.section", n=part.number, title=t(part.section.title)).upper()
    rows = [f"{n}. {t(s.label)}: {display(s, answers.get(s.id), t)}" for n, s in part.questions]
    return [head, *rows]


def page(turn: Turn, content: Content) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """The whole review as text, and its buttons: one per part, then submit and menu."""
    t = turn.t
    lines = [t("review.title")]
    for part in parts(turn, content):
        lines += ["", *_lines(turn, part)]
    lines += ["", t("review.instructions")]
    edits = [
        Button(t("review.part", n=p.number, title=t(p.section.title)), f"{B.PART}{p.section.id}")
        for p in parts(turn, content)
    ]
    last = (Button(t("review.submit"), B.SUBMIT), Button(t("nav.menu"), B.MENU))
    return "\n".join(lines), (*B.column(edits), last)


def part_screen(turn: Turn, content: Content) -> Reply:
    """One part's answers, with a button for each question, back and menu."""
    t = turn.t
    found = [p for p in parts(turn, content) if p.section.id == turn.state.part]
    if not found:  # the part no longer has questions, e.g. after an edit hid them
        found = parts(turn, content)[:1]
    lines = [*_lines(turn, found[0]), "", t("review.part_prompt")] if found else []
    edits = [
        Button(t("review.edit", label=t(s.label)), f"{B.EDIT}{s.id}")
        for _, s in (found[0].questions if found else ())
    ]
    nav = (Button(t("nav.back"), B.BACK), Button(t("nav.menu"), B.MENU))
    return Reply("\n".join(lines), (*B.column(edits), nav), sensitive=True)


def open_part(turn: Turn, content: Content, section: str) -> None:
    """Show the questions of one part, to pick the answer to change."""
    turn.state.screen, turn.state.part = Screen.REVIEW_PART, section
    turn.say(part_screen(turn, content))
