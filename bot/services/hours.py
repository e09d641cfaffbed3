"""The service's opening hours, a setting: when a caseworker can be expected to answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = "Mon-Fri 07:30-17:00"
"""Office hours of a commune People's Committee; 111 answers the rest of the time."""

_SPEC = re.compile(
    r"^\s*(?P<days>[A-Za-z]{3}(?:\s*[-,]\s*[A-Za-z]{3})*)\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s*$"
)


def _day(name: str) -> int:
    """Monday is 0, as datetime.weekday() counts."""
    try:
        return DAYS.index(name.strip().lower())
    except ValueError:
        raise ValueError(f"unknown day {name!r}: use Mon, Tue, Wed, Thu, Fri, Sat or Sun") from None


def _days(spec: str) -> tuple[int, ...]:
    """ "Mon-Fri", "Mon,Wed,Fri" or "Sat-Sun" as weekday numbers."""
    found: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        start = _day(first)
        end = _day(last) if last else start
        span = (end - start) % 7
        found.extend((start + i) % 7 for i in range(span + 1))
    return tuple(sorted(dict.fromkeys(found)))


def _time(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"not a time of day: {text!r}")
    return time(hours, minutes)


@dataclass(frozen=True)
class ServiceHours:
    """Days of the week and one daily window, in the service's own time zone."""

    days: tuple[int, ...]
    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str = DEFAULT_HOURS, timezone: str = "Asia/Ho_Chi_Minh") -> ServiceHours:
        """Read e.g. "Mon-Fri 07:30-17:00"; a mistake fails at start, with the reason."""
        found = _SPEC.match(spec)
        if not found:
            raise ValueError(f"service hours {spec!r}: write them like {DEFAULT_HOURS!r}")
        opens, closes = _time(found["opens"]), _time(found["closes"])
        if closes <= opens:
            raise ValueError(f"service hours {spec!r}: closing must come after opening")
        return cls(_days(found["days"]), opens, closes, ZoneInfo(timezone))

    def is_open(self, now: datetime) -> bool:
        """Whether a caseworker is on duty at this moment."""
        local = now.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the service opens, in local time (now itself if it is open)."""
        local = now.astimezone(self.zone)
        if self.is_open(now):
            return local
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            start = datetime.combine(day, self.opens, self.zone)
            if day.weekday() in self.days and start > local:
                return start
        raise AssertionError("unreachable: some day of the week is open")
