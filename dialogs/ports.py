"""The small protocols through which the engine asks the application to act."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol


class EraseOutcome(StrEnum):
    """What erasing did, so the person can be told honestly."""

    DELETED = "deleted"
    ANONYMISED = "anonymised"


class CaseServices(Protocol):
    """Effects of a conversation, applied inside the same unit of work as the state."""

    async def record_consent(self, purpose: str, granted: bool) -> None:
        """Record consent (or its refusal or withdrawal) for one purpose."""

    async def submit_declaration(self, flow_id: str, answers: Mapping[str, Any]) -> str:
        """Store a finished declaration and return its reference code."""

    async def request_handoff(self, *, urgent: bool, reason: str, note: str = "") -> None:
        """Put the conversation in the caseworker queue; `note` tells the caseworker why.

        A note adds its lines to those of the person's open request.
        """

    async def mark_urgent(self, reason: str) -> None:
        """Raise the person to the top of the caseworker queue."""

    async def erase(self) -> EraseOutcome:
        """Remove the person's data, or anonymise what a caseworker must keep."""
