"""Which team a case goes to, and what the declaration's confirmation promises about its code."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services.case_services import DbCaseServices
from bot.services.hours import ServiceHours
from db.models import Declaration, HandoffRequest, Team, TeamCommune
from db.repositories import Contacts, States
from tests.bot.test_declaration_flow import consent_all, open_declaration, submit
from tests.support import FakeClock, Transcript


async def add_team(app: App, code: str, ward: str) -> None:
    async with app.conversations.sessions() as session, session.begin():
        session.add(Team(code=code, name=code))
        await session.flush()
        session.add(TeamCommune(ward_code=ward, team_code=code))


async def test_the_commune_being_declared_picks_the_team(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "đang sống ở đâu" in c.text)
    await chat.send("xã Đại Hợp, huyện Kiến Thụy")
    async with app.conversations.sessions() as session:
        state = await States(session).load(chat.contact_id or 0)
    assert state is not None
    ward = state["answers"]["address"]["ward_code"]
    await add_team(app, "kienthuy", ward)
    await chat.send("0")  # the typed key of "talk to a caseworker", on a choice question
    assert "vị trí số 1" in chat.text
    async with app.conversations.sessions() as session:
        case = await session.scalar(select(HandoffRequest))
    assert case is not None and case.team == "kienthuy"


async def test_services_route_by_commune_then_declaration_then_city(app: App, clock: FakeClock):
    await add_team(app, "north", "11111")
    async with app.conversations.sessions() as session, session.begin():
        contacts = Contacts(session)
        a = await contacts.get_or_create("test", "a", "a", clock.now)
        b = await contacts.get_or_create("test", "b", "b", clock.now)
        c = await contacts.get_or_create("test", "c", "c", clock.now)
        await session.flush()
        session.add(Declaration(
            contact_id=b.id, ref="HP-ROUTE-01", flow_id="f", answers={}, province="HP",
            created_at=clock.now, ward_code="11111",
        ))  # fmt: skip
        files, hours = app.conversations.files, ServiceHours.parse("Mon-Sun 00:00-23:59")
        queued = []
        for contact, commune in ((a, "11111"), (b, None), (c, "99999")):
            services = DbCaseServices(session, contact, clock.now, "HP", files, hours)
            queued.append(await services.request_handoff(urgent=False, reason="r", commune=commune))
            clock.advance(seconds=1)
    assert [q.position for q in queued] == [1, 2, 1], "counted within the team"
    assert all(q.in_hours and q.next_opening is None for q in queued)
    async with app.conversations.sessions() as session:
        teams = list(await session.scalars(select(HandoffRequest.team).order_by(HandoffRequest.id)))
    assert teams == ["north", "north", "city"]


async def test_leaving_closes_only_the_open_case(app: App, clock: FakeClock) -> None:
    async with app.conversations.sessions() as session, session.begin():
        contact = await Contacts(session).get_or_create("test", "a", "a", clock.now)
        await session.flush()
        services = DbCaseServices(session, contact, clock.now, "HP", app.conversations.files)
        await services.leave_case()  # nothing open: nothing happens
        await services.request_handoff(urgent=True, reason="danger")
        await services.leave_case()
        assert services.cases, "the changed case is named for publishing"
        again = await services.request_handoff(urgent=False, reason="requested")
    assert again.position == 1
    async with app.conversations.sessions() as session:
        rows = list(await session.scalars(select(HandoffRequest).order_by(HandoffRequest.id)))
    assert [(r.status, r.outcome) for r in rows] == [
        ("closed", "left_by_person"), ("waiting", None)
    ]  # fmt: skip
    assert rows[0].closed_at is not None


async def declare_with_sharing(chat: Transcript, share: str) -> str:
    await open_declaration(chat)
    await chat.click("Đồng ý")
    await chat.click(share)
    await chat.click("Đồng ý")
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "Hoàn tất và lưu" in c.labels)
    return await submit(chat)


async def test_just_the_code_only_when_shared(app: App, transcript) -> None:
    shared = transcript(chat="shared")
    ref = await declare_with_sharing(shared, "Đồng ý")
    assert f"Bạn chỉ cần mang mã {ref} đến UBND xã" in shared.text
    private = transcript(chat="private")
    await declare_with_sharing(private, "Không đồng ý")
    assert "chỉ cần mang mã" not in private.text
    assert "cán bộ không mở được bản khai bằng mã" in private.text


async def test_just_the_code_in_english(app: App) -> None:
    chat = Transcript(app, chat="en", lang_hint="en")
    await chat.command("/start")
    await chat.click("English")
    await chat.click("Make a declaration")
    for _ in range(3):
        await chat.click("I agree")
    await chat.click("For myself")
    for _ in range(60):
        if "Finish and save" in chat.labels:
            break
        await chat.click("It's safe, go on" if "It's safe, go on" in chat.labels else "Skip")
    await chat.click("Finish and save")
    assert "Just bring the code HP-" in chat.text
    assert "a caseworker can open your declaration with this code" in chat.text
