"""Caseworkers on call are alerted to urgent cases, on Telegram, through the real sender.

Reminder rows are made and fired here as the ticker would (inside one transaction, at an
injected time); the real aiogram sender then delivers to the fake Bot API. Times are in
the past of the real clock, so the queued items are due at once: no test sleeps.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import func, select

from bot.services.access import Actor
from bot.services.conversation import utcnow
from bot.settings import Settings
from db import caseworker_links as links
from db.models import (
    URGENT_ESCALATION,
    AuditEntry,
    CaseNote,
    HandoffRequest,
    OutboxItem,
    Reminder,
    Team,
)
from tests.bot.alert_support import (
    PUBLIC,
    assert_no_words,
    desk,
    drained,
    fire,
    received,
    urgent,
)


async def test_on_call_linked_team_members_are_alerted_in_their_language(
    settings: Settings,
) -> None:
    async with desk(settings) as (tg, app, _ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, alert, _escalation = await urgent(app, "person-1", "north", start)
        assert await fire(app, alert, start) == ["telegram"]
        await tg.wait_for(lambda: len(received(tg)) >= 2)
        await drained(app)
        got = received(tg)
        assert set(got) == {"nam", "emma"}, "only the team's on-call, linked caseworkers"
        link = f"{PUBLIC}/console/cases/{case_id}"
        assert got["nam"] == [
            f"Có một cuộc trò chuyện khẩn mới đang chờ (ca #{case_id}). Mở bảng điều khiển: {link}"
        ]
        assert got["emma"] == [
            f"A new urgent conversation is waiting (case #{case_id}). Open the console: {link}"
        ]
        await assert_no_words(app, case_id, tg)
        async with app.conversations.sessions() as s:
            left = await s.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.contact_id.is_(None))
            )
            assert left == 0, "a sent alert leaves no trace in the outbox"


async def test_an_unclaimed_case_escalates_to_the_city_team_and_supervisors(
    settings: Settings,
) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        async with app.conversations.sessions() as s, s.begin():
            await links.set_escalation_minutes(s, 7, ids["boss"], start)
        case_id, alert, escalation = await urgent(app, "person-2", "north", start, minutes=7)
        await fire(app, alert, start)
        await tg.wait_for(lambda: len(received(tg)) >= 2)
        await drained(app)
        before = {name: len(texts) for name, texts in received(tg).items()}
        assert set(before) == {"nam", "emma"}
        assert await fire(app, escalation, start + timedelta(minutes=7)) == ["telegram"]
        await tg.wait_for(lambda: {"city", "boss"} <= set(received(tg)))
        await drained(app)
        got = received(tg)
        new = {name: texts[before.get(name, 0) :] for name, texts in got.items()}
        new = {name: texts for name, texts in new.items() if texts}
        assert set(new) == {"city", "boss"}, "the city team's on-call and every supervisor"
        link = f"{PUBLIC}/console/cases/{case_id}"
        assert new["boss"] == [
            f"An urgent conversation (case #{case_id}) has waited 7 minutes and nobody "
            f"has taken it. Open the console: {link}"
        ]
        assert new["city"][0].startswith(f"Một cuộc trò chuyện khẩn (ca #{case_id}) đã chờ 7")
        await assert_no_words(app, case_id, tg)
        async with app.conversations.sessions() as s:
            case = await s.get(HandoffRequest, case_id)
            assert case is not None and case.escalated_at == start + timedelta(minutes=7)
            notes = list(await s.scalars(select(CaseNote).where(CaseNote.case_id == case_id)))
            assert [n.kind for n in notes] == ["escalation"]
            audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "case.escalated"))
            assert audit is not None and (audit.case_id, audit.actor) == (case_id, "system")
        async with app.conversations.sessions() as s, s.begin():
            again = Reminder(
                kind=URGENT_ESCALATION, case_id=case_id, due_at=start, created_at=start
            )
            s.add(again)
        assert await fire(app, again.id, start + timedelta(minutes=8)) == [], "escalates once"


async def test_a_claimed_case_neither_alerts_nor_escalates(settings: Settings) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, alert, escalation = await urgent(app, "person-3", "north", start)
        nam = Actor(ids["nam"], "nam", "caseworker", "north")
        await app.desk.claim(nam, case_id, uuid4().hex)
        assert await fire(app, alert, start) == []
        assert await fire(app, escalation, start + timedelta(minutes=10)) == []
        await drained(app)
        assert received(tg) == {}
        async with app.conversations.sessions() as s:
            case = await s.get(HandoffRequest, case_id)
            assert case is not None and case.escalated_at is None
            assert (
                await s.scalar(select(func.count()).where(AuditEntry.action == "case.escalated"))
                == 0
            )


async def test_a_team_nobody_can_be_reached_in_alerts_the_city_on_call(settings: Settings) -> None:
    async with desk(settings) as (tg, app, _ids):
        start = utcnow() - timedelta(minutes=30)
        async with app.conversations.sessions() as s, s.begin():
            s.add(Team(code="west", name="West"))
        case_id, alert, _escalation = await urgent(app, "person-5", "west", start)
        assert await fire(app, alert, start) == ["telegram"]
        await tg.wait_for(lambda: "city" in received(tg))
        await drained(app)
        assert set(received(tg)) == {"city"}
        assert received(tg)["city"][0].startswith("Có một cuộc trò chuyện khẩn mới đang chờ")
        async with app.conversations.sessions() as s:
            case = await s.get(HandoffRequest, case_id)
            assert case is not None and case.escalated_at is None, "not an escalation"


def test_console_links_start_at_the_public_address() -> None:
    plain = Settings(_env_file=None)  # type: ignore[call-arg]
    assert plain.console_base == "http://127.0.0.1:8080"
    public = Settings(public_url="https://hotline.example.vn/", _env_file=None)  # type: ignore[call-arg]
    assert public.console_base == "https://hotline.example.vn"


async def test_a_case_assigned_but_not_joined_still_escalates(settings: Settings) -> None:
    async with desk(settings) as (tg, app, ids):
        start = utcnow() - timedelta(minutes=30)
        case_id, _alert, escalation = await urgent(app, "person-6", "north", start)
        boss = Actor(ids["boss"], "boss", "supervisor", "city")
        await app.desk.assign(boss, case_id, ids["off"], uuid4().hex)
        assert await fire(app, escalation, start + timedelta(minutes=10)) == ["telegram"]
        await tg.wait_for(lambda: {"city", "boss"} <= set(received(tg)))
        await drained(app)
        assert set(received(tg)) == {"city", "boss"}
