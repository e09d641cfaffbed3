"""A Mermaid chart of a flow, so reviewers see the form's paths without reading YAML."""

from __future__ import annotations

from dialogs.schema import REVIEW, Condition, Flow


def _when(condition: Condition) -> str:
    """A condition in a few words."""
    if condition.predicate:
        return condition.predicate
    wanted = " | ".join(map(str, condition.one_of)) if condition.one_of else condition.equals
    return f"{condition.field} = {wanted}"


def chart(flow: Flow) -> str:
    """`flowchart TD` text: each step, conditional steps marked, jumps labelled."""
    lines = ["flowchart TD"]
    ids = [s.id for s in flow.steps]
    for step in flow.steps:
        shape = f'{step.id}{{{{"{step.id}"}}}}' if step.when else f'{step.id}["{step.id}"]'
        lines.append(f"    {shape}")
    for i, step in enumerate(flow.steps):
        after = ids[i + 1] if i + 1 < len(ids) else REVIEW
        for option in step.options:
            if option.next:
                lines.append(f'    {step.id} -- "{option.value}" --> {option.next.strip("@")}')
        if step.on_refuse:
            lines.append(f'    {step.id} -- "no" --> {step.on_refuse.strip("@")}')
        target = (step.next or after).strip("@")
        lines.append(f"    {step.id} --> {target}")
        if step.when:
            lines.append(f"    %% {step.id} only when {_when(step.when)}")
    lines.append("    review --> submit")
    return "\n".join(lines)
