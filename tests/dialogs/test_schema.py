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
