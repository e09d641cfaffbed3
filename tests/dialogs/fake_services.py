"""An in-memory CaseServices: the engine's port, for flow tests that need no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogs.ports import EraseOutcome


@dataclass
class MemoryServices:
    """Records every effect the engine asks for."""

    consents: list[tuple[str, bool]] = field(default_factory=list)
    declarations: dict[str, dict[str, Any]] = field(default_factory=dict)
    handoffs: list[tuple[bool, str, str]] = field(default_factory=list)
    urgent: list[str] = field(default_factory=list)
    erased: int = 0

    async def record_consent(self, purpose: str, granted: bool) -> None:
        self.consents.append((purpose, granted))

    async def submit_declaration(self, flow_id: str, answers: Mapping[str, Any]) -> str:
        ref = f"HP-TEST-{len(self.declarations) + 2:02d}"
        self.declarations[ref] = dict(answers)
        return ref

    async def request_handoff(self, *, urgent: bool, reason: str, note: str = "") -> None:
        self.handoffs.append((urgent, reason, note))

    async def mark_urgent(self, reason: str) -> None:
        self.urgent.append(reason)

    async def erase(self) -> EraseOutcome:
        self.erased += 1
        return EraseOutcome.ANONYMISED if self.handoffs else EraseOutcome.DELETED
