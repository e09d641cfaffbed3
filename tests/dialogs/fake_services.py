"""An in-memory CaseServices: the engine's port, for flow tests that need no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from dialogs.ports import EraseOutcome, Queued


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
