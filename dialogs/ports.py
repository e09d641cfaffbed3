"""The small protocols through which the engine asks the application to act."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any, Protocol


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
