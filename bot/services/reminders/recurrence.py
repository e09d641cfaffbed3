"""Recurring meetings as RFC 5545 rules, read by dateutil.rrule, so month ends and leap years hold.

A rule runs on the wall clock of its zone ("the first Saturday at 9:00 in Hà Nội"), and each
occurrence is turned into UTC only at the end, so a zone with summer time keeps the hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from dialogs.i18n import N_

RULE_ERROR = N_("console.error.rule")
"""The one error a console form shows for a rule it cannot use."""
MAX_LENGTH = 200
"""Appointment.rrule's column width."""
ALLOWED = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
"""Meetings recur by days at the most often: an hourly rule would flood people with reminders."""
PRESETS: tuple[tuple[str, str, str], ...] = (
    ("first_saturday", N_("console.schedule.preset.first_saturday"), "FREQ=MONTHLY;BYDAY=+1SA"),
    ("last_sunday", N_("console.schedule.preset.last_sunday"), "FREQ=MONTHLY;BYDAY=-1SU"),
    ("last_friday", N_("console.schedule.preset.last_friday"), "FREQ=MONTHLY;BYDAY=-1FR"),
    ("weekly", N_("console.schedule.preset.weekly"), "FREQ=WEEKLY"),
    (
        "every_second_week",
        N_("console.schedule.preset.every_second_week"),
        "FREQ=WEEKLY;INTERVAL=2",
    ),
    ("monthly_day", N_("console.schedule.preset.monthly_day"), "FREQ=MONTHLY"),
)
"""(key, msgid, rule) for the console form; the first date gives the weekday or day of month."""

_FREQ = re.compile(r"(?:^|;)FREQ=(\w+)")
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)
_PROBE = datetime(2000, 1, 1, 9, 0)
"""A start for checking a rule on its own; any date works, the rule decides the days."""


def to_utc(local: datetime, zone: str) -> datetime:
    """A naive wall-clock time in zone as UTC (a time skipped by summer time moves forward)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(moment: datetime, zone: str) -> datetime:
    """A UTC instant as the naive wall-clock time of zone, as rules count."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _parse(rule: str, start_local: datetime, zone: str | None) -> rrule:
    """The rule starting at start_local; an UNTIL given in UTC is read in the rule's zone."""
    if zone is not None:

        def local_until(found: re.Match[str]) -> str:
            until = datetime.strptime(found[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            return f"UNTIL={to_local(until, zone):%Y%m%dT%H%M%S}"

        rule = _UNTIL_UTC.sub(local_until, rule)
    else:
        rule = _UNTIL_UTC.sub(r"UNTIL=\1", rule)
    parsed = rrulestr(rule, dtstart=start_local)
    if not isinstance(parsed, rrule):
        raise ValueError(RULE_ERROR)
    return parsed


def validate(rule: str) -> str:
    """The rule as stored (one RRULE line, upper case), or ValueError(RULE_ERROR)."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    text = text.upper()
    if not text or "\n" in text or ":" in text or len(text) > MAX_LENGTH:
        raise ValueError(RULE_ERROR)
    try:
        parsed = _parse(text, _PROBE, None)
    except (ValueError, TypeError, KeyError, IndexError):
        raise ValueError(RULE_ERROR) from None
    freq = _FREQ.search(text)
    if not freq or freq[1] not in ALLOWED or parsed.after(_PROBE, inc=True) is None:
        raise ValueError(RULE_ERROR)  # too frequent, or no day ever matches (Feb 31st)
    normal = str(parsed).splitlines()[-1].removeprefix("RRULE:")
    return normal


def occurrences(
    rule: str, start_local: datetime, zone: str, after: datetime, count: int
) -> list[datetime]:
    """The next `count` occurrences strictly after `after` (UTC), in UTC, in order."""
    parsed = _parse(rule, start_local, zone)
    # A day's margin each way: the local and UTC calendars differ by at most a day.
    begin = max(to_local(after, zone) - timedelta(days=2), start_local - timedelta(seconds=1))
    found: list[datetime] = []
    for local in parsed.xafter(begin, inc=False):
        moment = to_utc(local, zone)
        if moment > after:
            found.append(moment)
            if len(found) >= count:
                break
    return found


def next_occurrence(
    rule: str, start_local: datetime, zone: str, after: datetime
) -> datetime | None:
    """The first occurrence after `after`, or None when the rule has ended."""
    found = occurrences(rule, start_local, zone, after, 1)
    return found[0] if found else None
