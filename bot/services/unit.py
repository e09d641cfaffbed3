"""What one unit of work carries besides the engine's state: the locked person, and what changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.bus import Change
from db.models import CASE_OPEN, Contact, HandoffRequest, Message

CASE_CHANGING = frozenset(
    {"request_handoff", "leave_case", "erase", "mark_urgent", "answer_reminder"}
)
"""The CaseServices methods after which the open case is read again, to publish its change."""


@dataclass
class Unit:
    """One event's transaction: the person (locked), the moment, and the changes to publish."""

    session: AsyncSession
    contact: Contact
    now: datetime
    case: HandoffRequest | None
    """The person's open case when the event arrived, if any."""
    changes: list[Change] = field(default_factory=list)
    reply_message: Message | None = None
    """A caseworker's message whose delivery follows the first outbox item queued."""
    silent: bool = False
    """Set by an effect that found nothing to tell (a reminder no longer due): its own
    changes commit, but the engine does not run and nothing is queued."""

    def changed(self, kind: str, case: HandoffRequest | None) -> None:
        """Publish this after commit (ids and team only)."""
        self.changes.append(
            Change(kind, case.id if case else None, self.contact.id, case.team if case else None)
        )


Effect = Callable[[Unit], Awaitable[None]]
"""A system event's own change to the database, applied in the unit before the engine runs."""


async def open_case(session: AsyncSession, contact_id: int) -> HandoffRequest | None:
    """The person's open case, locked for this transaction."""
    found = await session.scalars(
        select(HandoffRequest)
        .where(HandoffRequest.contact_id == contact_id, HandoffRequest.status.in_(CASE_OPEN))
        .order_by(HandoffRequest.id.desc())
        .limit(1)
        .with_for_update()
    )
    return found.first()


class Watched:
    """The engine's CaseServices, noting whether a call may have changed the person's case."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.touched = False

    def __getattr__(self, name: str) -> Any:
        if name in CASE_CHANGING:
            self.touched = True
        return getattr(self._inner, name)
