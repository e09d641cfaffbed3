"""Safe hours: a person's reminder goes only inside their window, never late, never for nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import hypothesis
from hypothesis import strategies as st

from bot.services.reminders.safe_hours import WINDOWS, inside, place
from db.models import SAFE_HOURS

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")


def local(day: int, hour: int, minute: int = 0, zone: ZoneInfo = HCM) -> datetime:
    """A December 2026 wall-clock time in zone, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=zone).astimezone(UTC)


def test_windows_are_the_contracts() -> None:
    assert {
        "morning": (time(7), time(11)),
        "afternoon": (time(13), time(17)),
        "evening": (time(18), time(21)),
        "any": (time(7), time(21)),
    } == WINDOWS
    assert set(WINDOWS) == set(SAFE_HOURS)


def test_inside_a_window_it_goes_when_due() -> None:
    due = local(10, 19, 30)
    assert place(due, local(11, 19, 30), "evening", HCM, local(1, 0)) == due


def test_outside_it_moves_to_the_next_window_start() -> None:
    # Due at 09:00 the day before a 09:00 visit; the person is safe only in the evening.
    assert place(local(10, 9), local(11, 9), "evening", HCM, local(1, 0)) == local(10, 18)


def test_no_window_before_the_visit_means_the_evening_before() -> None:
    # Due 10:00 for an 11:30 visit, evening only: the next start (18:00) is past the visit.
    assert place(local(11, 10), local(11, 11, 30), "evening", HCM, local(1, 0)) == local(10, 21)


def test_the_evening_before_if_already_past_is_no_safe_time() -> None:
    now = local(11, 8)
    assert place(local(11, 10), local(11, 11, 30), "evening", HCM, now) is None


def test_none_prefs_are_daytime_hours() -> None:
    assert place(local(10, 3), local(11, 3), None, HCM, local(1, 0)) == local(10, 7)
    assert place(local(10, 3), local(11, 3), None, HCM, local(1, 0)) == place(
        local(10, 3), local(11, 3), "any", HCM, local(1, 0)
    )


def test_a_due_time_already_passed_goes_now_when_now_is_safe() -> None:
    now = local(11, 7, 30)
    assert place(local(10, 9), local(11, 9), "morning", HCM, now) == now


def test_nothing_for_an_occurrence_that_passed() -> None:
    assert place(local(10, 9), local(11, 9), "any", HCM, local(11, 10)) is None


def test_a_summer_time_zone_keeps_the_wall_clock_window() -> None:
    # 2027-03-28: Berlin moves from +01:00 to +02:00 at 02:00; the evening stays 18:00 local.
    due = datetime(2027, 3, 28, 9, tzinfo=BERLIN).astimezone(UTC)
    visit = datetime(2027, 3, 29, 9, tzinfo=BERLIN).astimezone(UTC)
    sent = place(due, visit, "evening", BERLIN, due - timedelta(days=3))
    assert sent == datetime(2027, 3, 28, 16, tzinfo=UTC)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@hypothesis.settings(max_examples=500, deadline=None)
@hypothesis.given(
    now=moments,
    due_after=st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=10)),
    lead=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=8)),
    safe=st.sampled_from([*SAFE_HOURS, None]),
    zone=st.sampled_from([HCM, BERLIN, ZoneInfo("America/New_York")]),
)
def test_placed_time_is_safe_not_past_and_before_the_occurrence(
    now: datetime, due_after: timedelta, lead: timedelta, safe: str | None, zone: ZoneInfo
) -> None:
    due = now + due_after
    occurrence = due + lead
    sent = place(due, occurrence, safe, zone, now)
    if sent is None:
        # Only when no safe moment lies between now and the occurrence.
        probe = now
        while probe < occurrence - timedelta(minutes=1):
            assert not inside(probe, safe, zone), probe
            probe += timedelta(minutes=15)
        return
    assert inside(sent, safe, zone)
    assert now <= sent < occurrence
    if inside(max(due, now), safe, zone) and max(due, now) < occurrence - timedelta(minutes=1):
        assert sent == max(due, now), "a due time inside the window is kept"
