"""Mistakes in a flow file fail when it loads, naming the file and the step."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dialogs.content import Content, flows_dir
from dialogs.mermaid import chart
from dialogs.schema import FlowError, load_flow

GOOD = {
    "id": "mini",
    "title": "decl.title",
    "sections": [
        {
            "id": "s",
            "title": "decl.section.identity",
            "steps": [
                {"id": "a", "kind": "text", "prompt": "decl.full_name.prompt",
                 "label": "decl.full_name.label"},
                {"id": "b", "kind": "choice", "prompt": "decl.sex.prompt",
                 "label": "decl.sex.label",
                 "options": [{"value": "f", "label": "decl.sex.female", "next": "a"}]},
            ],
        }
    ],
}  # fmt: skip


def write(tmp_path: Path, flow: dict) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(flow, allow_unicode=True), encoding="utf-8")
    return path


def broken(change) -> dict:
    flow = yaml.safe_load(yaml.safe_dump(GOOD))
    change(flow["sections"][0]["steps"])
    return flow


def test_a_good_flow_loads(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, GOOD), Content.load().catalogs.known)
    assert [s.id for s in flow.steps] == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda steps: steps[1]["options"][0].update(next="nowhere"), "step 'b': unknown target"),
        (lambda steps: steps[1].update(id="a"), "step 'a': duplicate id"),
        (lambda steps: steps[0].update(prompt="decl.no_such_text"), "step 'a': unknown message id"),
        (lambda steps: steps[0].pop("label"), "step 'a': missing message id 'label'"),
        (lambda steps: steps[0].update(kind="essay"), "step 'a': unknown kind"),
        (lambda steps: steps[0].update(when={"predicate": "is_lucky"}), "unknown predicate"),
        (lambda steps: steps[0].update(when={"field": "zz", "equals": 1}), "unknown field"),
        (lambda steps: steps[1].update(options=[]), "step 'b': a choice step needs options"),
        (lambda steps: steps[0].update(colour="red"), "step 'a': unknown keys"),
    ],
)
def test_mistakes_name_the_file_and_step(tmp_path: Path, change, message: str) -> None:
    path = write(tmp_path, broken(change))
    with pytest.raises(FlowError) as error:
        load_flow(path, Content.load().catalogs.known)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_the_shipped_flows_load_and_chart() -> None:
    content = Content.load()
    assert content.declaration.first.kind == "consent"
    assert all(not s.skippable for s in content.declaration.steps if s.kind == "consent")
    text = chart(content.declaration)
    assert text.startswith("flowchart TD")
    assert "legal_rep" in text and "is_minor" in text
    assert (flows_dir() / "self_declaration.yaml").exists()


PEOPLE = {
    "id": "people",
    "title": "decl.title",
    "person": {"field": "who", "default": "relative"},
    "sections": [
        {
            "id": "s",
            "title": "decl.section.identity",
            "steps": [
                {"id": "who", "kind": "choice", "prompt": "decl.declarant.prompt",
                 "label": "decl.declarant.label",
                 "options": [{"value": "self", "label": "decl.declarant.self"},
                             {"value": "relative", "label": "decl.declarant.relative"}]},
                {"id": "name", "kind": "text", "label": "decl.full_name.label",
                 "prompt": {"self": "decl.full_name.prompt.self",
                            "relative": "decl.full_name.prompt"}},
                {"id": "went", "kind": "date", "prompt": "decl.recruited_when.prompt",
                 "label": "decl.recruited_when.label"},
                {"id": "back", "kind": "date", "prompt": "decl.return_date.prompt",
                 "label": "decl.return_date.label",
                 "not_before": {"field": "went", "message": "decl.return_date.before_recruited"}},
            ],
        }
    ],
}  # fmt: skip


def people(change) -> dict:
    flow = yaml.safe_load(yaml.safe_dump(PEOPLE))
    change(flow)
    return flow


def test_a_prompt_is_worded_for_who_declares(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, PEOPLE), Content.load().catalogs.known)
    name = flow.step("name")
    assert flow.prompt(name, {"who": "self"}) == "decl.full_name.prompt.self"
    assert flow.prompt(name, {"who": "relative"}) == "decl.full_name.prompt"
    assert flow.prompt(name, {"who": None}) == "decl.full_name.prompt", "skipped: the default"
    assert flow.prompt(name, {}) == "decl.full_name.prompt"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f["sections"][0]["steps"][1]["prompt"].pop("self"),
         "step 'name': word the prompt for ['relative', 'self']"),
        (lambda f: f["sections"][0]["steps"][1]["prompt"].update(self="decl.no_such_text"),
         "step 'name': unknown message id 'decl.no_such_text'"),
        (lambda f: f.pop("person"), "step 'name': worded prompt, no 'person'"),
        (lambda f: f["person"].update(field="nobody"), "person names an unknown step"),
        (lambda f: f["person"].update(default="cousin"), "the person default 'cousin' is no"),
        (lambda f: f["sections"][0]["steps"][3]["not_before"].update(field="nothing"),
         "step 'back': not_before names 'nothing', not an earlier step"),
        (lambda f: f["sections"][0]["steps"][3]["not_before"].update(field="name"),
         "step 'back': not_before compares two date steps"),
        (lambda f: f["sections"][0]["steps"][3]["not_before"].update(message="decl.nope"),
         "step 'back': unknown message id 'decl.nope'"),
        (lambda f: f["sections"][0]["steps"][0]["options"][0].update(only=True),
         "step 'who': unknown option keys ['only']"),
    ],
)  # fmt: skip
def test_mistakes_in_wording_and_checks_fail_at_load(tmp_path: Path, change, message: str) -> None:
    with pytest.raises(FlowError) as error:
        load_flow(write(tmp_path, people(change)), Content.load().catalogs.known)
    assert message in str(error.value)


def test_an_exclusive_option_clears_the_others_and_they_clear_it() -> None:
    papers = Content.load().declaration.step("papers")
    ticked = papers.toggled(papers.toggled([], "passport"), "id_card")
    assert ticked == ["id_card", "passport"], "in the order of the options"
    assert papers.toggled(ticked, "none") == ["none"]
    assert papers.toggled(["none"], "foreign") == ["foreign"]
    assert papers.toggled(["none"], "none") == []


def test_progress_is_the_section_of_the_step() -> None:
    flow = Content.load().declaration
    number, section = flow.section_of(flow.step("return_date"))
    assert (number, section.title, len(flow.sections)) == (5, "decl.section.return", 6)
