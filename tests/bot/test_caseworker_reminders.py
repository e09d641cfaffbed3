"""Caseworkers are reminded of visits and group meetings on Telegram, in their language.

Fired as the ticker would (tests/bot/alert_support.fire), delivered by the real sender.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.conversation import utcnow
from bot.settings import Settings
from db.models import (
    FOR_CASEWORKER,
    MEETING,
    VISIT,
    Appointment,
    HandoffRequest,
    Reminder,
)
from tests.bot.alert_support import (
    PUBLIC,
    desk,
    drained,
    fire,
    received,
    urgent,
)


async def test_a_caseworker_is_reminded_of_a_visit_in_their_language(settings: Settings) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        visit_at = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # Saturday 9:00 in Hải Phòng
        rows, cases = [], {}
        for name in ("emma", "nam", "unlinked"):  # each assigned a case, with a visit
            case_id, _alert, _escalation = await urgent(app, f"person-{name}", "north", start)
            cases[name] = case_id
            async with app.conversations.sessions() as s, s.begin():
                case = await s.get(HandoffRequest, case_id)
                assert case is not None
                case.assignee_id = ids[name]
                appt = Appointment(
                    kind=VISIT, team="north", case_id=case_id, place="Nhà văn hoá thôn 3",
                    starts_at=visit_at, next_at=visit_at, status="scheduled",
                    created_by=ids["emma"], created_at=start, updated_at=start,
                )  # fmt: skip
                s.add(appt)
                await s.flush()
                row = Reminder(
                    kind=FOR_CASEWORKER, appointment_id=appt.id, caseworker_id=ids[name],
                    occurrence_at=visit_at, lead_minutes=60, due_at=start, created_at=start,
                )  # fmt: skip
                s.add(row)
                rows.append(row)
        for row in rows:
            await fire(app, row.id, start)
        await tg.wait_for(lambda: {"emma", "nam"} <= set(received(tg)))
        await drained(app)
        got = received(tg)
        assert set(got) == {"emma", "nam"}, "an unlinked caseworker gets nothing on Telegram"
        link = f"{PUBLIC}/console/cases/{cases['emma']}"
        assert got["emma"] == [
            f"Reminder: visit for case #{cases['emma']} at 9:00, Saturday, December 5, 2026.\n"
            f"Place: Nhà văn hoá thôn 3\nOpen: {link}"
        ]
        assert got["nam"][0].startswith(
            f"Nhắc lịch: buổi thăm ca #{cases['nam']} lúc 9:00, Thứ Bảy"
        )
        assert "Địa điểm: Nhà văn hoá thôn 3" in got["nam"][0]


async def test_a_visit_reminds_whoever_has_its_case_when_it_fires(settings: Settings) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        visit_at = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
        case_id, _alert, _escalation = await urgent(app, "person-moved", "north", start)
        async with app.conversations.sessions() as s, s.begin():
            appt = Appointment(
                kind=VISIT, team="north", case_id=case_id, starts_at=visit_at, next_at=visit_at,
                status="scheduled", created_by=ids["emma"], created_at=start, updated_at=start,
            )  # fmt: skip
            s.add(appt)
            await s.flush()
            row = Reminder(
                kind=FOR_CASEWORKER, appointment_id=appt.id, caseworker_id=ids["emma"],
                occurrence_at=visit_at, lead_minutes=60, due_at=start, created_at=start,
            )  # fmt: skip
            s.add(row)
            case = await s.get(HandoffRequest, case_id)
            assert case is not None
            case.assignee_id = ids["nam"]  # rotated since the visit was planned
        await fire(app, row.id, start)
        await tg.wait_for(lambda: "nam" in received(tg))
        await drained(app)
        assert set(received(tg)) == {"nam"}, "the caseworker who planned it has moved on"


async def test_a_caseworker_is_reminded_of_a_group_meeting_not_a_cancelled_one(
    settings: Settings,
) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        at = datetime(2027, 1, 2, 12, 30, tzinfo=UTC)  # Saturday 19:30 in Hải Phòng
        async with app.conversations.sessions() as s, s.begin():
            meetings = [
                Appointment(
                    kind=MEETING,
                    team="north",
                    title="Nhóm đồng đẳng",
                    place="Hội trường xã",
                    starts_at=at,
                    next_at=at,
                    rrule="FREQ=MONTHLY;BYDAY=+1SA",
                    status=status,
                    created_by=ids["emma"],
                    created_at=start,
                    updated_at=start,
                )
                for status in ("scheduled", "cancelled")
            ]
            s.add_all(meetings)
            await s.flush()
            rows = [
                Reminder(
                    kind=FOR_CASEWORKER,
                    appointment_id=m.id,
                    caseworker_id=ids["emma"],
                    occurrence_at=at,
                    lead_minutes=1440,
                    due_at=start,
                    created_at=start,
                )
                for m in meetings
            ]
            s.add_all(rows)
        assert await fire(app, rows[0].id, start) == ["telegram"]
        assert await fire(app, rows[1].id, start) == []
        await tg.wait_for(lambda: "emma" in received(tg))
        await drained(app)
        assert received(tg) == {
            "emma": [
                "Reminder: group meeting “Nhóm đồng đẳng” at 19:30, Saturday, January 2, 2027.\n"
                f"Place: Hội trường xã\nOpen: {PUBLIC}/console/schedule"
            ]
        }
