"""Answers as people read them: for the review page and the printed declaration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.dates import format_partial_date
from dialogs.i18n import Translator
from dialogs.schema import Flow, Step, StepKind


def display(step: Step, value: Any, t: Translator) -> str:
    """One answer in words; a skipped answer says so rather than showing nothing."""
    if value is None:
        return t("common.skipped")
    if isinstance(value, str) and (option := step.option(value)):
        return t(option.label)
    if step.kind is StepKind.MULTI and isinstance(value, list):
        labels = [t(o.label) for v in value if (o := step.option(str(v)))]
        return ", ".join(labels) if labels else t("common.none_selected")
    if step.kind is StepKind.CONSENT:  # the words of the buttons the person pressed
        return t("consent.agree") if value else t("consent.refuse")
    if step.kind is StepKind.YESNO:
        return t("common.yes") if value else t("common.no")
    if step.kind is StepKind.DATE and isinstance(value, dict):
        if value.get("unknown"):
            return t("common.dont_remember")
        return format_partial_date(value, t.lang)
    if step.kind is StepKind.ADDRESS and isinstance(value, dict):
        parts = [str(value.get("typed") or "")]
        if value.get("ward"):
            parts.append(t("common.now_in", ward=f"{value['ward']}, {value.get('province', '')}"))
        if value.get("location"):
            lat, lon = value["location"]
            parts.append(t("common.location", lat=f"{lat:.5f}", lon=f"{lon:.5f}"))
        return " ".join(p for p in parts if p)
    return str(value)


def kept_answers(flow: Flow, answers: Mapping[str, Any], ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Only answers to steps that still apply and are meant to be kept."""
    return {
        s.id: answers[s.id]
        for s in flow.visible(answers, ctx)
        if not s.transient and s.id in answers
    }
