"""When a person may safely get a message: a reminder at the wrong hour can put them at risk.

A person chooses a daily window (morning, afternoon, evening, or any daytime hour) in the
service's zone. A reminder due outside it moves to the start of the next window, but never
past the appointment itself; failing that, to the last safe moment before it was due (the
evening before, say); failing that, it is not sent at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from db.models import SAFE_HOURS
from dialogs import reminder_prefs

WINDOWS: dict[str, tuple[time, time]] = {
    choice: (time(start), time(end)) for choice, (start, end) in reminder_prefs.WINDOWS.items()
}
"""Each window's first and last minute, both included, in the service's local time: the
hours the person was shown when they chose (dialogs.reminder_prefs)."""
DEFAULT = "any"
"""A person who never chose gets daytime hours: nobody is woken at night."""
MARGIN = timedelta(minutes=1)
"""A reminder goes at least this long before the appointment, or it is no use."""

assert set(WINDOWS) == set(SAFE_HOURS), "the windows and the stored choices must agree"


def window(safe: str | None) -> tuple[time, time]:
    """The person's window; an unknown or missing choice is the default, never no window."""
    return WINDOWS.get(safe or DEFAULT, WINDOWS[DEFAULT])


def _bounds(day: date, span: tuple[time, time], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The window on one local day, as UTC instants."""
    start, end = span
    return (
        datetime.combine(day, start, zone).astimezone(UTC),
        datetime.combine(day, end, zone).astimezone(UTC),
    )


def inside(moment: datetime, safe: str | None, zone: ZoneInfo) -> bool:
    """Whether a message at this moment is inside the person's window."""
    start, end = window(safe)
    return start <= moment.astimezone(zone).time().replace(tzinfo=None) <= end


def next_safe(moment: datetime, safe: str | None, zone: ZoneInfo) -> datetime:
    """The first safe moment at or after this one (itself when it is inside the window)."""
    span = window(safe)
    day = moment.astimezone(zone).date()
    for ahead in range(3):  # today's window, or tomorrow's; one more day for zone edges
        start, end = _bounds(day + timedelta(days=ahead), span, zone)
        if moment <= end:
            return max(moment, start)
    raise AssertionError("a daily window always comes within two days")


def last_safe(moment: datetime, safe: str | None, zone: ZoneInfo) -> datetime:
    """The last safe moment at or before this one (itself when it is inside the window)."""
    span = window(safe)
    day = moment.astimezone(zone).date()
    for back in range(3):
        start, end = _bounds(day - timedelta(days=back), span, zone)
        if start <= moment:
            return min(moment, end)
    raise AssertionError("a daily window always came within two days")


def place(
    due: datetime, occurrence: datetime, safe: str | None, zone: ZoneInfo, now: datetime
) -> datetime | None:
    """When to send a person's reminder due at `due` for an appointment at `occurrence`.

    The result is inside the window, not before now and before the occurrence; None
    when no such moment exists (the caller marks the reminder missed, "no_safe_time").
    """
    latest = occurrence - MARGIN
    target = max(due, now)
    first = next_safe(target, safe, zone)
    if first <= latest:
        return first
    before = last_safe(min(target, latest), safe, zone)
    return before if now <= before <= latest else None
