"""Stand-ins for Branch A1's (i9-schedule) names, so that the ticker runs before the merge.

MERGE(i9-schedule): delete this module once db/reminders.py and
bot/services/reminders/{safe_hours,schedule}.py are merged; ticker.py and firing.py
import those first and fall back to these only while they are missing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.claims import claim, expired, held_by, release_values
from db.models import REMINDER_PENDING, Reminder

WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time(7), time(11)),
    "afternoon": (time(13), time(17)),
    "evening": (time(18), time(21)),
    "any": (time(7), time(21)),
}


def place(
    due: datetime, occurrence: datetime, safe: str | None, zone: ZoneInfo, now: datetime
) -> datetime | None:
    """The contract's rule, minimally: due if inside, else the next window start before it."""
    start, end = WINDOWS[safe or "any"]
    local = max(due, now).astimezone(zone)
    if start <= local.time() < end:
        return max(due, now)
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    begin = datetime.combine(day, start, zone)
    return begin if begin < occurrence else None


async def roll_meetings(session: AsyncSession, now: datetime) -> int:
    """No recurring meetings before A1: nothing to roll."""
    return 0


class Reminders:
    """db/reminders.py's claim_due and finish, as the contract names them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_due(
        self, now: datetime, owner: str, lease: timedelta, limit: int
    ) -> list[Reminder]:
        """Lease due pending rows, oldest first."""
        return await claim(
            self._session,
            Reminder,
            where=[
                Reminder.status == REMINDER_PENDING,
                Reminder.due_at <= now,
                expired(Reminder, now),
            ],
            order_by=[Reminder.due_at, Reminder.id],
            limit=limit,
            owner=owner,
            now=now,
            lease=lease,
        )

    async def finish(
        self, reminder_id: int, owner: str, status: str, now: datetime, reason: str | None = None
    ) -> bool:
        """Record the outcome while the lease is still owner's; release it."""
        result = await self._session.execute(
            update(Reminder)
            .where(Reminder.id == reminder_id, held_by(Reminder, owner))
            .values(status=status, fired_at=now, reason=reason, **release_values())
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
        return result.first() is not None
