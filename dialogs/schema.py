"""The flow schema: a form as data, checked when it loads so mistakes fail early."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from dialogs.predicates import PREDICATES


class StepKind(StrEnum):
    """What a step asks for, which decides its buttons and its validator."""

    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    YESNO = "yesno"
    DATE = "date"
    PHONE = "phone"
    ADDRESS = "address"
    ID_NUMBER = "id_number"
    CONSENT = "consent"


REVIEW = "@review"
PAUSE = "@pause"
NO_RECORD = "@no_record"
STOP = "@stop"
"""End the declaration, keeping none of its answers, with the step's stop_message."""
SPECIAL_TARGETS = frozenset({REVIEW, PAUSE, NO_RECORD, STOP})


class FlowError(ValueError):
    """A mistake in a flow file, naming the file and the step."""


@dataclass(frozen=True)
class Option:
    """One button of a choice: the stored value, its label, and an optional jump."""

    value: str
    label: str
    next: str | None = None
    exclusive: bool = False
    """In a multi-choice, ticking it clears the others, and ticking another clears it."""


@dataclass(frozen=True)
class Condition:
    """When a step applies: a plain field comparison or a named Python predicate."""

    field: str | None = None
    equals: Any = None
    one_of: tuple[Any, ...] = ()
    predicate: str | None = None

    def holds(self, answers: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        """Evaluate against the answers so far; an unanswered field never matches."""
        if self.predicate:
            return PREDICATES[self.predicate](answers, context)
        value = answers.get(self.field or "")
        if self.one_of:
            return value in self.one_of
        return value is not None and value == self.equals


@dataclass(frozen=True)
class NotBefore:
    """A date answer that cannot be earlier than another one; the message names both dates."""

    field: str
    message: str


@dataclass(frozen=True)
class Person:
    """Whose answer picks a question's wording: "bạn" for oneself, "người trở về" for a relative."""

    field: str
    default: str
    """The wording before that question is answered, or when it was skipped."""


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    id: str
    kind: StepKind
    prompt: str
    label: str
    section: str
    hint: str | None = None
    options: tuple[Option, ...] = ()
    when: Condition | None = None
    next: str | None = None
    purpose: str | None = None
    on_refuse: str | None = None
    max_len: int = 1000
    transient: bool = False
    """A transient answer steers the flow (e.g. "is it safe to talk?") but is never kept."""
    alert: bool = False
    """A yes here is treated like a danger word: emergency numbers, top of the queue."""
    stop_message: str | None = None
    prompts: tuple[tuple[str, str], ...] = ()
    """The prompt worded for each person (see Person), when it differs between them."""
    not_before: tuple[NotBefore, ...] = ()

    def prompt_for(self, person: str) -> str:
        """The prompt's message id for the person the questions speak to."""
        return dict(self.prompts).get(person, self.prompt)

    def toggled(self, ticked: list[str], value: str) -> list[str]:
        """The ticks of a multi-choice after pressing value, in the order of the options."""
        option = self.option(value)
        if option is None:
            return list(ticked)
        if value in ticked:
            kept = set(ticked) - {value}
        elif option.exclusive:
            kept = {value}
        else:
            exclusive = {o.value for o in self.options if o.exclusive}
            kept = (set(ticked) - exclusive) | {value}
        return [o.value for o in self.options if o.value in kept]

    @property
    def skippable(self) -> bool:
        """Every question can be skipped except consent, which must be asked plainly."""
        return self.kind is not StepKind.CONSENT

    def option(self, value: str) -> Option | None:
        """The option with this stored value, if the step has it."""
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    """A titled group of steps, for the review page and the printed form."""

    id: str
    title: str


@dataclass(frozen=True)
class Flow:
    """A whole form: its sections and steps in order."""

    id: str
    title: str
    sections: tuple[Section, ...]
    steps: tuple[Step, ...]
    source: str = ""
    person: Person | None = None
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({s.id: i for i, s in enumerate(self.steps)})

    @property
    def first(self) -> Step:
        """Where the flow starts."""
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError for a stale id from an old state."""
        return self.steps[self._index[step_id]]

    def has(self, step_id: str | None) -> bool:
        """True when the id names a step of this flow."""
        return step_id is not None and step_id in self._index

    def applies(self, step: Step, answers: Mapping[str, Any], ctx: Mapping[str, Any]) -> bool:
        """True when the step's condition holds for these answers."""
        return step.when is None or step.when.holds(answers, ctx)

    def following(
        self, step_id: str, answers: Mapping[str, Any], ctx: Mapping[str, Any]
    ) -> Iterator[Step]:
        """The applicable steps after step_id, in order."""
        for step in self.steps[self._index[step_id] + 1 :]:
            if self.applies(step, answers, ctx):
                yield step

    def visible(self, answers: Mapping[str, Any], ctx: Mapping[str, Any]) -> list[Step]:
        """The steps that apply to these answers, for review, printing and pruning."""
        return [s for s in self.steps if self.applies(s, answers, ctx)]

    def prompt(self, step: Step, answers: Mapping[str, Any]) -> str:
        """The step's prompt worded for the person the questions speak to."""
        if self.person is None:
            return step.prompt
        chosen = answers.get(self.person.field)
        people = {p for p, _ in step.prompts}
        return step.prompt_for(chosen if chosen in people else self.person.default)

    def section_of(self, step: Step) -> tuple[int, Section]:
        """The step's section and its number from 1: progress that never jumps."""
        for number, section in enumerate(self.sections, 1):
            if section.id == step.section:
                return number, section
        raise KeyError(step.section)


_STEP_KEYS = {
    "id", "kind", "prompt", "label", "hint", "options", "when", "next",
    "purpose", "on_refuse", "max_len", "transient", "alert", "stop_message", "not_before",
}  # fmt: skip
_OPTION_KEYS = {"value", "label", "next", "exclusive"}


def _condition(raw: Any, where: str) -> Condition:
    """Parse a `when:` block; anything but the two allowed forms is an error."""
    if not isinstance(raw, dict):
        raise FlowError(f"{where}: 'when' must be a mapping")
    if "predicate" in raw:
        name = raw["predicate"]
        if name not in PREDICATES:
            raise FlowError(f"{where}: unknown predicate {name!r}")
        return Condition(predicate=name)
    if "field" not in raw or not ({"equals", "in"} & raw.keys()):
        raise FlowError(f"{where}: 'when' needs 'predicate', or 'field' with 'equals' or 'in'")
    return Condition(field=raw["field"], equals=raw.get("equals"), one_of=tuple(raw.get("in", ())))


def _option(raw: Any, where: str) -> Option:
    """Parse one option of a choice."""
    if not isinstance(raw, dict) or "value" not in raw or not raw.get("label"):
        raise FlowError(f"{where}: an option needs a 'value' and a 'label'")
    unknown = set(raw) - _OPTION_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown option keys {sorted(unknown)}")
    return Option(str(raw["value"]), str(raw["label"]), raw.get("next"), bool(raw.get("exclusive")))


def _prompts(raw: Any, where: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A prompt is one message id, or a mapping {person: message id}; the first is a default."""
    if isinstance(raw, str) and raw:
        return raw, ()
    if isinstance(raw, dict) and raw and all(isinstance(v, str) and v for v in raw.values()):
        pairs = tuple((str(k), v) for k, v in raw.items())
        return pairs[0][1], pairs
    raise FlowError(f"{where}: 'prompt' must be a message id or a mapping person -> message id")


def _not_before(raw: Any, where: str) -> tuple[NotBefore, ...]:
    """Parse `not_before:`, one {field, message} or a list of them."""
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(i, dict) and set(i) == {"field", "message"} for i in items):
        raise FlowError(f"{where}: 'not_before' needs 'field' and 'message'")
    return tuple(NotBefore(str(i["field"]), str(i["message"])) for i in items)


def _step(raw: Any, section: str, where: str) -> Step:
    """Parse one step mapping."""
    if not isinstance(raw, dict) or "id" not in raw:
        raise FlowError(f"{where}: a step must be a mapping with an 'id'")
    where = f"{where}, step {raw['id']!r}"
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        kind = StepKind(raw.get("kind", ""))
    except ValueError:
        raise FlowError(f"{where}: unknown kind {raw.get('kind')!r}") from None
    for key in ("prompt", "label"):
        if not raw.get(key):
            raise FlowError(f"{where}: missing message id {key!r}")
    options = tuple(_option(o, where) for o in raw.get("options", ()))
    prompt, prompts = _prompts(raw["prompt"], where)
    if kind in (StepKind.CHOICE, StepKind.MULTI) and not options:
        raise FlowError(f"{where}: a {kind} step needs options")
    if kind is StepKind.CONSENT and not raw.get("purpose"):
        raise FlowError(f"{where}: a consent step needs a 'purpose'")
    when = _condition(raw["when"], where) if "when" in raw else None
    not_before = _not_before(raw["not_before"], where) if "not_before" in raw else ()
    return Step(
        id=str(raw["id"]), kind=kind, prompt=prompt, label=raw["label"], section=section,
        hint=raw.get("hint"), options=options, when=when, next=raw.get("next"),
        purpose=raw.get("purpose"), on_refuse=raw.get("on_refuse"),
        max_len=int(raw.get("max_len", 1000)), transient=bool(raw.get("transient", False)),
        alert=bool(raw.get("alert", False)), stop_message=raw.get("stop_message"),
        prompts=prompts, not_before=not_before,
    )  # fmt: skip


def message_ids(flow: Flow) -> Iterator[tuple[str, str]]:
    """Every (step id, message id) a flow refers to."""
    yield "", flow.title
    for section in flow.sections:
        yield section.id, section.title
    for step in flow.steps:
        texts = (step.prompt, step.label, step.hint, step.stop_message)
        worded = (*(m for _, m in step.prompts), *(r.message for r in step.not_before))
        for msgid in (*texts, *worded, *(o.label for o in step.options)):
            if msgid:
                yield step.id, msgid


def check(flow: Flow, known: Callable[[str], bool] | None = None) -> None:
    """Refuse duplicate ids, unknown targets and (given a catalog) unknown message ids."""
    seen: set[str] = set()
    for step in flow.steps:
        if step.id in seen:
            raise FlowError(f"{flow.source}, step {step.id!r}: duplicate id")
        seen.add(step.id)
    for step in flow.steps:
        targets = [step.next, step.on_refuse, *(o.next for o in step.options)]
        for target in filter(None, targets):
            if target not in seen and target not in SPECIAL_TARGETS:
                raise FlowError(f"{flow.source}, step {step.id!r}: unknown target {target!r}")
        if step.when and step.when.field and step.when.field not in seen:
            raise FlowError(f"{flow.source}, step {step.id!r}: condition on unknown field")
        _check_dates(flow, step)
    _check_person(flow)
    if known is not None:
        for step_id, msgid in message_ids(flow):
            if not known(msgid):
                raise FlowError(f"{flow.source}, step {step_id!r}: unknown message id {msgid!r}")


def _check_dates(flow: Flow, step: Step) -> None:
    """A date compared with another must come after it, and both must be dates."""
    for rule in step.not_before:
        where = f"{flow.source}, step {step.id!r}"
        earlier = flow.steps[: flow.steps.index(step)]
        other = next((s for s in earlier if s.id == rule.field), None)
        if other is None:
            raise FlowError(f"{where}: not_before names {rule.field!r}, not an earlier step")
        if step.kind is not StepKind.DATE or other.kind is not StepKind.DATE:
            raise FlowError(f"{where}: not_before compares two date steps")


def _check_person(flow: Flow) -> None:
    """Every worded prompt has a wording for each answer to the person question."""
    worded = [s for s in flow.steps if s.prompts]
    if flow.person is None:
        if worded:
            raise FlowError(f"{flow.source}, step {worded[0].id!r}: worded prompt, no 'person'")
        return
    if not flow.has(flow.person.field):
        raise FlowError(f"{flow.source}: person names an unknown step {flow.person.field!r}")
    people = {o.value for o in flow.step(flow.person.field).options}
    if flow.person.default not in people:
        raise FlowError(f"{flow.source}: the person default {flow.person.default!r} is no option")
    for step in worded:
        if {p for p, _ in step.prompts} != people:
            raise FlowError(
                f"{flow.source}, step {step.id!r}: word the prompt for {sorted(people)}"
            )


def _person(raw: Any, where: str) -> Person | None:
    """Parse the flow's `person:` block, if any."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"field", "default"}:
        raise FlowError(f"{where}: 'person' needs 'field' and 'default'")
    return Person(str(raw["field"]), str(raw["default"]))


def load_flow(path: Path, known: Callable[[str], bool] | None = None) -> Flow:
    """Read and check one flow file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = str(path)
    if not isinstance(raw, dict) or "id" not in raw or "sections" not in raw:
        raise FlowError(f"{where}: a flow needs 'id', 'title' and 'sections'")
    sections: list[Section] = []
    steps: list[Step] = []
    for sec in raw["sections"]:
        sections.append(Section(str(sec["id"]), str(sec["title"])))
        steps.extend(_step(s, sections[-1].id, where) for s in sec.get("steps", ()))
    if not steps:
        raise FlowError(f"{where}: a flow needs at least one step")
    person = _person(raw.get("person"), where)
    title = str(raw.get("title", ""))
    flow = Flow(str(raw["id"]), title, tuple(sections), tuple(steps), where, person)
    check(flow, known)
    return flow
