"""The small protocols through which the engine asks the application to act."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from types import EllipsisType
from typing import Any, Protocol

ANSWERS = ("confirmed", "reschedule", "cancelled")
"""A person's answers to a reminder: they will come, they ask for another time, they won't."""


class EraseOutcome(StrEnum):
    """What erasing did, so the person can be told honestly."""

    DELETED = "deleted"
    ANONYMISED = "anonymised"


@dataclass(frozen=True)
class Queued:
    """Where a request for a person stands, for the engine to word in the person's language."""

    position: int
    """1: the next case a caseworker of the team takes; 0: a caseworker already has it."""
    in_hours: bool
    days: tuple[int, ...]
    """The weekdays caseworkers answer (0 is Monday)."""
    opens: time
    closes: time
    next_opening: datetime | None = None
    """Outside the hours: when someone will answer, in the service's local time."""


@dataclass(frozen=True)
class ReminderPrefs:
    """How the person wants to be reminded; consent None: never asked."""

    consent: bool | None = None
    safe_hours: str | None = None
    code_word: str | None = None


class CaseServices(Protocol):
    """Effects of a conversation, applied inside the same unit of work as the state."""

    async def record_consent(self, purpose: str, granted: bool) -> None:
        """Record consent (or its refusal or withdrawal) for one purpose."""

    async def submit_declaration(self, flow_id: str, answers: Mapping[str, Any]) -> str:
        """Store a finished declaration and return its reference code."""

    async def request_handoff(
        self, *, urgent: bool, reason: str, note: str = "", commune: str | None = None
    ) -> Queued:
        """Put the conversation in the caseworker queue; `note` tells the caseworker why.

        A note adds its lines to those of the person's open case, which is never two.
        commune (a new 2025 commune code, if the person gave an address) picks the team.
        """

    async def leave_case(self) -> None:
        """The person left the conversation with the caseworker: close their open case."""

    async def mark_urgent(self, reason: str) -> None:
        """Raise the person to the top of the caseworker queue."""

    async def erase(self) -> EraseOutcome:
        """Remove the person's data, or anonymise what a caseworker must keep."""

    async def answer_reminder(self, reminder_id: int, answer: str) -> bool:
        """Record the answer (one of ANSWERS) on the case; False: not theirs, or not current."""

    async def reminder_prefs(self) -> ReminderPrefs:
        """The person's consent to be contacted, safe hours and code word."""

    async def set_reminder_prefs(
        self,
        *,
        safe_hours: str | EllipsisType | None = ...,
        code_word: str | EllipsisType | None = ...,
    ) -> None:
        """Change what is given (None clears); ... leaves it as it is."""

    async def link_caseworker(self, code: str) -> str | None:
        """Link this chat to the console account whose one-time code this is; its username."""
