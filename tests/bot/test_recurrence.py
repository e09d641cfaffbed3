"""Recurring meetings: dateutil rules on the wall clock, over month ends, leap years and DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.reminders.recurrence import PRESETS, next_occurrence, occurrences, validate

HCM = "Asia/Ho_Chi_Minh"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def in_zone(found: list[datetime], zone: str) -> list[str]:
    return [f"{m.astimezone(ZoneInfo(zone)):%Y-%m-%d %a %H:%M}" for m in found]


def test_first_saturday_of_each_month() -> None:
    found = occurrences("FREQ=MONTHLY;BYDAY=+1SA", datetime(2026, 1, 1, 9), HCM, utc(2026, 1, 1), 4)
    assert in_zone(found, HCM) == [
        "2026-01-03 Sat 09:00",
        "2026-02-07 Sat 09:00",
        "2026-03-07 Sat 09:00",
        "2026-04-04 Sat 09:00",
    ]
    assert found[0] == utc(2026, 1, 3, 2), "stored in UTC: Hồ Chí Minh is UTC+7"


def test_last_friday_including_a_leap_february() -> None:
    found = occurrences(
        "FREQ=MONTHLY;BYDAY=-1FR", datetime(2028, 1, 1, 18), HCM, utc(2028, 1, 1), 3
    )
    assert in_zone(found, HCM) == [
        "2028-01-28 Fri 18:00",
        "2028-02-25 Fri 18:00",
        "2028-03-31 Fri 18:00",
    ]


def test_the_last_day_of_the_month_over_month_ends_and_a_leap_year() -> None:
    found = occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=-1", datetime(2027, 12, 1, 9), HCM, utc(2027, 12, 1), 4
    )
    assert [m.astimezone(ZoneInfo(HCM)).day for m in found] == [31, 31, 29, 31]


def test_the_31st_skips_shorter_months_and_never_lands_on_a_wrong_day() -> None:
    found = occurrences("FREQ=MONTHLY", datetime(2026, 1, 31, 9), HCM, utc(2026, 1, 1), 4)
    assert in_zone(found, HCM)[:3] == [
        "2026-01-31 Sat 09:00",
        "2026-03-31 Tue 09:00",
        "2026-05-31 Sun 09:00",
    ]


def test_february_29th_yearly_comes_only_in_leap_years() -> None:
    found = occurrences(
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", datetime(2024, 2, 29, 9), HCM, utc(2024, 3, 1), 2
    )
    assert [m.year for m in found] == [2028, 2032]


def test_a_summer_time_zone_keeps_the_wall_clock_hour() -> None:
    zone = "Europe/Berlin"
    found = occurrences("FREQ=WEEKLY;BYDAY=SA", datetime(2027, 3, 20, 10), zone, utc(2027, 3, 1), 2)
    assert in_zone(found, zone) == ["2027-03-20 Sat 10:00", "2027-03-27 Sat 10:00"]
    found += occurrences("FREQ=WEEKLY;BYDAY=SA", datetime(2027, 3, 20, 10), zone, found[-1], 1)
    assert found[1] == utc(2027, 3, 27, 9) and found[2] == utc(2027, 4, 3, 8), "CET then CEST"


def test_after_is_strict_and_a_rule_with_an_end_ends() -> None:
    start = datetime(2026, 1, 3, 9)
    first = utc(2026, 1, 3, 2)
    assert occurrences("FREQ=MONTHLY;BYDAY=+1SA", start, HCM, first, 1)[0] == utc(2026, 2, 7, 2)
    assert occurrences("FREQ=WEEKLY;COUNT=2", start, HCM, utc(2026, 1, 1), 5) == [
        first,
        utc(2026, 1, 10, 2),
    ]
    assert next_occurrence("FREQ=WEEKLY;COUNT=2", start, HCM, utc(2026, 1, 10, 2)) is None
    until = occurrences("FREQ=WEEKLY;UNTIL=20260117T020000Z", start, HCM, utc(2026, 1, 1), 9)
    assert until[-1] == utc(2026, 1, 17, 2), "an UNTIL in UTC is read in UTC"


def test_far_ahead_it_starts_from_after_not_from_the_first_date() -> None:
    found = occurrences("FREQ=MONTHLY;BYDAY=+1SA", datetime(2026, 1, 1, 9), HCM, utc(2035, 6, 1), 1)
    assert in_zone(found, HCM) == ["2035-06-02 Sat 09:00"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("FREQ=MONTHLY;BYDAY=+1SA", "FREQ=MONTHLY;BYDAY=+1SA"),
        ("rrule:freq=monthly;byday=-1fr", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("  FREQ=WEEKLY;INTERVAL=2 ", "FREQ=WEEKLY;INTERVAL=2"),
    ],
)
def test_validate_normalises(given: str, stored: str) -> None:
    assert validate(given) == stored


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "nonsense",
        "FREQ=HOURLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=MONTHLY;BYDAY=XX",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
        "FREQ=DAILY;" + "BYHOUR=9;" * 40,
    ],
)
def test_validate_refuses_with_the_forms_error(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^console\.error\.rule$"):
        validate(bad)


def test_presets_are_valid_and_named() -> None:
    keys = [key for key, _, _ in PRESETS]
    assert len(set(keys)) == len(keys)
    for _key, msgid, rule in PRESETS:
        assert msgid.startswith("console.schedule.preset.")
        assert validate(rule) == rule


def test_a_wall_clock_time_skipped_or_repeated_by_summer_time_is_still_one_instant() -> None:
    zone = "America/New_York"
    # 2027-03-14 02:30 does not exist in New York: it is read as 03:30 EDT, moved forward.
    [skipped] = occurrences("FREQ=YEARLY", datetime(2027, 3, 14, 2, 30), zone, utc(2027, 1, 1), 1)
    assert skipped == utc(2027, 3, 14, 7, 30)
    # 2027-11-07 01:30 happens twice: the first (EDT) is taken.
    [twice] = occurrences("FREQ=YEARLY", datetime(2027, 11, 7, 1, 30), zone, utc(2027, 1, 1), 1)
    assert twice == utc(2027, 11, 7, 5, 30)
