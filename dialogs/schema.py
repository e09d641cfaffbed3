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


_STEP_KEYS = {
    "id", "kind", "prompt", "label", "hint", "options", "when", "next",
    "purpose", "on_refuse", "max_len", "transient", "alert", "stop_message",
}  # fmt: skip


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
    options = tuple(
        Option(str(o["value"]), str(o["label"]), o.get("next")) for o in raw.get("options", ())
    )
    if kind in (StepKind.CHOICE, StepKind.MULTI) and not options:
        raise FlowError(f"{where}: a {kind} step needs options")
    if kind is StepKind.CONSENT and not raw.get("purpose"):
        raise FlowError(f"{where}: a consent step needs a 'purpose'")
    when = _condition(raw["when"], where) if "when" in raw else None
    return Step(
        id=str(raw["id"]), kind=kind, prompt=raw["prompt"], label=raw["label"], section=section,
        hint=raw.get("hint"), options=options, when=when, next=raw.get("next"),
        purpose=raw.get("purpose"), on_refuse=raw.get("on_refuse"),
        max_len=int(raw.get("max_len", 1000)), transient=bool(raw.get("transient", False)),
        alert=bool(raw.get("alert", False)), stop_message=raw.get("stop_message"),
    )  # fmt: skip


def message_ids(flow: Flow) -> Iterator[tuple[str, str]]:
    """Every (step id, message id) a flow refers to."""
    yield "", flow.title
    for section in flow.sections:
        yield section.id, section.title
    for step in flow.steps:
        texts = (step.prompt, step.label, step.hint, step.stop_message)
        for msgid in (*texts, *(o.label for o in step.options)):
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
    if known is not None:
        for step_id, msgid in message_ids(flow):
            if not known(msgid):
                raise FlowError(f"{flow.source}, step {step_id!r}: unknown message id {msgid!r}")


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
    flow = Flow(str(raw["id"]), str(raw.get("title", "")), tuple(sections), tuple(steps), where)
    check(flow, known)
    return flow
