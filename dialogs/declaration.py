"""Walking the self-declaration: answers, skip, back, review, edit and submit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dialogs import buttons as B
from dialogs import casework, find, screens
from dialogs.alerts import danger
from dialogs.checks import out_of_order
from dialogs.content import Content
from dialogs.dates import parse_partial_date
from dialogs.directory import Ward
from dialogs.events import Reply
from dialogs.i18n import N_
from dialogs.schema import NO_RECORD, PAUSE, REVIEW, STOP, Option, Step, StepKind
from dialogs.state import Screen
from dialogs.summary import kept_answers
from dialogs.turn import Turn
from dialogs.validators import Invalid, check_text, parse_id_number, parse_phone

SHARE_CONSENT = "consent_share"
"""The flow's question whose yes lets a caseworker open the declaration by its code."""


def parse(step: Step, text: str, turn: Turn) -> Any:
    """Typed text as an answer for this step, or Invalid with the reason."""
    match step.kind:
        case StepKind.PHONE:
            return parse_phone(text)
        case StepKind.DATE:
            return parse_partial_date(text, turn.today)
        case StepKind.ID_NUMBER:
            return parse_id_number(text)
        case StepKind.ADDRESS:
            typed = check_text(text, step.max_len)
            return typed if isinstance(typed, Invalid) else address(turn, typed)
        case StepKind.TEXT:
            return check_text(text, step.max_len)
    return Invalid("error.choose_option")


def address(turn: Turn, typed: str) -> dict[str, Any] | None:
    """The address as typed, with the new (2025) commune when there is one.

    Several communes fit: None, and the question shows them as buttons (or keep as typed).
    """
    wards = turn.directory.resolve(typed)
    if len(wards) > 1:
        turn.state.search = {
            "address": typed,
            "candidates": [w.code for w in wards],
            "typed": {w.code: w.typed_as for w in wards},
        }
        return None
    turn.state.search = {}
    return with_ward(turn, typed, wards[0]) if wards else {"typed": typed}


def with_ward(turn: Turn, typed: str, ward: Ward) -> dict[str, Any]:
    """Both forms of an address, and a word to the person about the new name."""
    turn.say(Reply(turn.t("decl.address.resolved", ward=f"{ward.name}, {ward.province}")))
    return {"typed": typed, "ward_code": ward.code, "ward": ward.name, "province": ward.province}


def go_to(turn: Turn, content: Content, step: Step) -> None:
    """Make step the current question and ask it."""
    state = turn.state
    state.screen, state.step = Screen.STEP, step.id
    if "address" in state.search:
        state.search = {}  # a choice of communes belongs to the question that asked it
    previous = state.answers.get(step.id)
    state.pending = [str(v) for v in previous] if isinstance(previous, list) else []
    turn.say(screens.step_prompt(turn, content, step))


def show_review(turn: Turn, content: Content) -> None:
    """Go to the review page."""
    turn.state.screen, turn.state.step, turn.state.editing = Screen.REVIEW, None, False
    turn.say(screens.review(turn, content))


def start(turn: Turn, content: Content) -> None:
    """Begin a new declaration, forgetting any unfinished one."""
    state = turn.state
    state.flow, state.answers, state.history = content.declaration.id, {}, []
    state.editing, state.pending = False, []
    go_to(turn, content, content.declaration.first)


def leave(turn: Turn, message: str) -> None:
    """End the declaration without keeping answers, and show the menu."""
    state = turn.state
    state.flow, state.step, state.answers, state.history = None, None, {}, []
    state.editing, state.pending, state.screen = False, [], Screen.MENU
    turn.say(Reply(turn.t(message)))
    turn.say(screens.menu(turn.t))


def _next_after(turn: Turn, content: Content, step: Step, target: str | None) -> None:
    """Move on: to an explicit target, the next applicable step, or the review."""
    flow, state = content.declaration, turn.state
    if state.editing:
        missing = [
            s for s in flow.visible(state.answers, turn.ctx)
            if s.id not in state.answers and not s.transient
        ]  # fmt: skip
        return go_to(turn, content, missing[0]) if missing else show_review(turn, content)
    if target == REVIEW:
        return show_review(turn, content)
    if target:
        return go_to(turn, content, flow.step(target))
    following = next(flow.following(step.id, state.answers, turn.ctx), None)
    return go_to(turn, content, following) if following else show_review(turn, content)


async def accept(
    turn: Turn, content: Content, step: Step, value: Any, option: Option | None
) -> None:
    """Keep an answer, record consent, and move on."""
    state = turn.state
    if step.kind is StepKind.CONSENT:
        refused_record = not value and step.on_refuse == NO_RECORD
        if refused_record:
            await withdraw(turn, content)
            return leave(turn, N_("decl.no_record"))
        await turn.services.record_consent(step.purpose or step.id, bool(value))
    if step.alert and value is True:
        await danger(turn)
        if state.case:  # now with a caseworker: the declaration waits, one step further on
            state.answers[step.id] = value
            state.history.append(step.id)
            following = next(content.declaration.following(step.id, state.answers, turn.ctx), None)
            state.step = following.id if following else None
            return
    target = (option.next if option else None) or step.next
    if target == STOP:
        return leave(turn, step.stop_message or N_("decl.no_record"))
    if target == PAUSE:
        state.screen = Screen.MENU
        turn.say(Reply(turn.t("decl.paused")))
        return turn.say(screens.menu(turn.t))
    if not step.transient:
        state.answers[step.id] = value
    if not state.history or state.history[-1] != step.id:
        state.history.append(step.id)
    _next_after(turn, content, step, target)


async def withdraw(turn: Turn, content: Content) -> None:
    """Consent to keep a record refused: every consent given before is withdrawn, recorded.

    A first refusal records nothing at all: there is nothing to withdraw.
    """
    for step in content.declaration.steps:
        if step.kind is StepKind.CONSENT and turn.state.answers.get(step.id) is True:
            await turn.services.record_consent(step.purpose or step.id, False)


def back(turn: Turn, content: Content) -> None:
    """One question back; from an edit, back to the review; from the first, the menu."""
    flow, state = content.declaration, turn.state
    if state.editing:
        return show_review(turn, content)
    current = state.step
    while state.history:
        previous = state.history.pop()
        if previous != current and flow.has(previous):
            step = flow.step(previous)
            if flow.applies(step, state.answers, turn.ctx):
                return go_to(turn, content, step)
    state.screen = Screen.MENU
    turn.say(screens.menu(turn.t))


async def on_step(turn: Turn, content: Content, payload: str | None, text: str | None,
                  location: tuple[float, float] | None) -> None:  # fmt: skip
    """Handle anything sent while a question is open."""
    step = content.declaration.step(turn.state.step or "")
    t = turn.t
    if payload == B.SKIP:
        if step.skippable:
            return await accept(turn, content, step, None, None)
        turn.say(Reply(t("error.consent_required")))
    elif payload == B.BACK:
        return back(turn, content)
    elif payload == B.MULTI_DONE:
        return await accept(turn, content, step, list(turn.state.pending), None)
    elif payload == B.UNKNOWN_DATE:
        return await accept(turn, content, step, {"unknown": True}, None)
    elif payload and payload.startswith(B.OPTION):
        value = payload.removeprefix(B.OPTION)
        if step.kind in (StepKind.YESNO, StepKind.CONSENT):
            return await accept(turn, content, step, value == "yes", None)
        if step.kind is StepKind.MULTI:
            turn.state.pending = step.toggled(turn.state.pending, value)
            # Only a tick changed: the pressed message is edited rather than sent again.
            return turn.say(replace(screens.step_prompt(turn, content, step), replaces=True))
        if option := step.option(value):
            return await accept(turn, content, step, value, option)
    elif location is not None and step.kind is StepKind.ADDRESS:
        return await accept(turn, content, step, {"typed": "", "location": list(location)}, None)
    elif payload and step.kind is StepKind.ADDRESS and turn.state.search.get("address"):
        typed = str(turn.state.search["address"])
        picked = [w for w in find.candidates(turn) if payload == f"{B.WARD}{w.code}"]
        turn.state.search = {}
        chosen = with_ward(turn, typed, picked[0]) if picked else {"typed": typed}
        return await accept(turn, content, step, chosen, None)
    elif text is not None:
        result = parse(step, text, turn)
        if result is not None and not isinstance(result, Invalid):
            flow = content.declaration
            result = out_of_order(flow, step, result, turn.state.answers, t.lang) or result
        if isinstance(result, Invalid):
            turn.say(Reply(t(result.msgid, **result.params)))
        elif result is not None:
            return await accept(turn, content, step, result, None)
    turn.say(screens.step_prompt(turn, content, step))


async def on_review(turn: Turn, content: Content, payload: str | None) -> None:
    """Submit, or open one answer for editing."""
    flow, state = content.declaration, turn.state
    if payload == B.SUBMIT:
        kept = kept_answers(flow, state.answers, turn.ctx)
        ref = await turn.services.submit_declaration(flow.id, kept)
        # Only with consent to share can a caseworker open it from the code alone.
        shared = state.answers.get(SHARE_CONSENT) is True
        bring = turn.t(N_("decl.code_shared") if shared else N_("decl.code_private"), ref=ref)
        text = turn.t("decl.submitted", ref=ref, bring=bring)
        turn.say(Reply(text, sensitive=True, document=ref))
        state.flow, state.step, state.answers, state.history = None, None, {}, []
        state.screen = Screen.MENU
        return turn.say(screens.menu(turn.t))
    step_id = (payload or "").removeprefix(B.EDIT)
    if payload and payload.startswith(B.EDIT) and flow.has(step_id):
        state.editing = True
        return go_to(turn, content, flow.step(step_id))
    casework.not_understood(turn, content)


def resume(turn: Turn, content: Content, payload: str) -> None:
    """Continue an unfinished declaration, or start it over."""
    state, flow = turn.state, content.declaration
    if payload == B.RESTART:
        return start(turn, content)
    if state.resume_to is Screen.REVIEW or not flow.has(state.step):
        return show_review(turn, content)
    go_to(turn, content, flow.step(state.step or ""))
