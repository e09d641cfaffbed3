"""Named conditions written in Python, so flow files need no expression language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from dialogs.dates import age_on

Predicate = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]


def is_minor(answers: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Possibly under 18: when a birth year alone leaves doubt, ask for the representative."""
    dob = answers.get("dob")
    today: date = context["today"]
    if not isinstance(dob, dict):
        return False
    ages = age_on(dob, today)
    return ages is not None and ages[0] < 18


PREDICATES: dict[str, Predicate] = {"is_minor": is_minor}
