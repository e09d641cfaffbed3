"""Checks across answers, declared in the flow: a return cannot come before the departure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.dates import earliest, format_partial_date, latest
from dialogs.schema import Flow, Step
from dialogs.validators import Invalid


def certainly_before(later: Any, earlier: Any) -> bool:
    """True only when every day `later` can mean is before every day `earlier` can mean.

    "2019" and "5/2019" may be the same month: people remember roughly, so only a plain
    contradiction is refused.
    """
    if not isinstance(later, dict) or not isinstance(earlier, dict):
        return False
    last, first = latest(later), earliest(earlier)
    return last is not None and first is not None and last < first


def _refusal(
    message: str, later: Mapping[str, Any], earlier: Mapping[str, Any], lang: str
) -> Invalid:
    """The reason, with both dates as the person will recognise them."""
    return Invalid(
        message,
        {"date": format_partial_date(later, lang), "other": format_partial_date(earlier, lang)},
    )


def out_of_order(
    flow: Flow, step: Step, value: Any, answers: Mapping[str, Any], lang: str
) -> Invalid | None:
    """Refuse a date that contradicts another date answer, in either direction.

    Both directions, because an earlier date can be changed from the review page.
    """
    for rule in step.not_before:
        earlier = answers.get(rule.field)
        if isinstance(earlier, dict) and certainly_before(value, earlier):
            return _refusal(rule.message, value, earlier, lang)
    for other in flow.steps:
        later = answers.get(other.id)
        for rule in other.not_before:
            if isinstance(later, dict) and rule.field == step.id and certainly_before(later, value):
                return _refusal(rule.message, later, value, lang)
    return None
