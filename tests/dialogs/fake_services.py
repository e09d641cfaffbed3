"""An in-memory CaseServices: the engine's port, for flow tests that need no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from types import EllipsisType
from typing import Any

from dialogs.ports import EraseOutcome, Queued, ReminderPrefs


@dataclass
class MemoryServices:
    """Records every effect the engine asks for; the queue is always open, and empty."""

    consents: list[tuple[str, bool]] = field(default_factory=list)
    declarations: dict[str, dict[str, Any]] = field(default_factory=dict)
    handoffs: list[tuple[bool, str, str]] = field(default_factory=list)
    communes: list[str | None] = field(default_factory=list)
    urgent: list[str] = field(default_factory=list)
    left: int = 0
    erased: int = 0
    in_hours: bool = True
    answers: list[tuple[int, str]] = field(default_factory=list)
    current_reminders: set[int] = field(default_factory=set)
    """Reminders an answer may still be recorded for; others are "no longer current"."""
    safe_hours: str | None = None
    code_word: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    """One-time link codes and the username each one links."""

    async def record_consent(self, purpose: str, granted: bool) -> None:
        self.consents.append((purpose, granted))

    async def submit_declaration(self, flow_id: str, answers: Mapping[str, Any]) -> str:
        ref = f"HP-TEST-{len(self.declarations) + 2:02d}"
        self.declarations[ref] = dict(answers)
        return ref

    async def request_handoff(
        self, *, urgent: bool, reason: str, note: str = "", commune: str | None = None
    ) -> Queued:
        self.handoffs.append((urgent, reason, note))
        self.communes.append(commune)
        return Queued(1, self.in_hours, (0, 1, 2, 3, 4), time(7, 30), time(17, 0))

    async def leave_case(self) -> None:
        self.left += 1

    async def mark_urgent(self, reason: str) -> None:
        self.urgent.append(reason)

    async def erase(self) -> EraseOutcome:
        self.erased += 1
        return EraseOutcome.ANONYMISED if self.handoffs else EraseOutcome.DELETED

    async def answer_reminder(self, reminder_id: int, answer: str) -> bool:
        if reminder_id not in self.current_reminders:
            return False
        self.answers.append((reminder_id, answer))
        return True

    async def reminder_prefs(self) -> ReminderPrefs:
        contact = [granted for purpose, granted in self.consents if purpose == "contact"]
        consent = contact[-1] if contact else None
        return ReminderPrefs(consent, self.safe_hours, self.code_word)

    async def set_reminder_prefs(
        self,
        *,
        safe_hours: str | EllipsisType | None = ...,
        code_word: str | EllipsisType | None = ...,
    ) -> None:
        if not isinstance(safe_hours, EllipsisType):
            self.safe_hours = safe_hours
        if not isinstance(code_word, EllipsisType):
            self.code_word = code_word

    async def link_caseworker(self, code: str) -> str | None:
        return self.links.pop(code, None)
