"""Service hours: read from the setting, open or closed at a moment, and the next opening."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from pydantic import ValidationError

from bot.services.hours import ServiceHours
from bot.settings import Settings


def test_default_is_weekday_office_hours_in_vietnam() -> None:
    hours = ServiceHours.parse()
    assert hours.days == (0, 1, 2, 3, 4)
    assert (hours.opens, hours.closes) == (time(7, 30), time(17, 0))
    tuesday_10 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    assert hours.is_open(tuesday_10)
    assert not hours.is_open(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # 17:00: closed
    assert hours.is_open(datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 7:30: open


def test_next_opening_after_friday_evening_is_monday_morning() -> None:
    hours = ServiceHours.parse()
    friday_evening = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 19:00 local
    opening = hours.next_opening(friday_evening)
    assert (opening.weekday(), opening.hour, opening.minute) == (0, 7, 30)
    assert opening.date().day == 7
    early = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Tuesday 7:00 local: the same morning
    assert hours.next_opening(early).day == 1 and hours.next_opening(early).hour == 7


@pytest.mark.parametrize(
    ("spec", "days"),
    [("Mon-Sat 08:00-11:30", (0, 1, 2, 3, 4, 5)), ("mon,wed,fri 8:00-12:00", (0, 2, 4)),
     ("Sat-Mon 09:00-10:00", (0, 5, 6))],
)  # fmt: skip
def test_other_forms(spec: str, days: tuple[int, ...]) -> None:
    assert ServiceHours.parse(spec).days == days


@pytest.mark.parametrize(
    "spec", ["", "Mon-Fri", "Mon-Fry 07:30-17:00", "Mon 17:00-07:30", "Mon 25:00-26:00"]
)
def test_mistakes_are_refused_with_the_reason(spec: str) -> None:
    with pytest.raises(ValueError, match=r"hours|day|time"):
        ServiceHours.parse(spec)


def test_the_setting_fails_at_start_when_wrong() -> None:
    assert Settings(_env_file=None).hours.is_open(datetime(2026, 12, 1, 3, tzinfo=UTC))  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(service_hours="weekdays", _env_file=None)  # type: ignore[call-arg]
    custom = Settings(service_hours="Sat-Sun 08:00-12:00", _env_file=None)  # type: ignore[call-arg]
    assert custom.hours.days == (5, 6)
