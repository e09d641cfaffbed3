"""The console's verbs: each applies once, in the person's unit of work, audited and published."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.services.access import Actor, NotAllowed
from bot.services.bus import CASE, MESSAGE_IN, MESSAGE_OUT, Change
from bot.services.reminders import schedule
from db.models import (
    Appointment,
    AuditEntry,
    CaseNote,
    Caseworker,
    HandoffRequest,
    Message,
    OutboxItem,
    Team,
)
from tests.support import FakeClock


async def _worker(app: App, name: str, team: str = "city", role: str = "caseworker") -> Actor:
    async with app.conversations.sessions() as s, s.begin():
        if await s.get(Team, team) is None:
            s.add(Team(code=team, name=team))
            await s.flush()
        row = Caseworker(username=name, password_hash="x", role=role, team=team, locale="vi",
                         active=True, created_at=app.conversations.clock())  # fmt: skip
        s.add(row)
        await s.flush()
        return Actor(row.id, name, role, team)


async def _waiting_case(app: App, transcript) -> tuple[object, HandoffRequest]:
    chat = transcript()
    await chat.send("cứu tôi với")  # danger words: an urgent case, with this message in it
    async with app.conversations.sessions() as s:
        case = await s.scalar(select(HandoffRequest))
    assert case is not None and case.status == "waiting" and case.priority == "urgent"
    return chat, case


async def _count(app: App, model: type, *where: object) -> int:
    async with app.conversations.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_claim_reply_close_change_the_case_once_each(app: App, transcript) -> None:
    _chat, case = await _waiting_case(app, transcript)
    lan = await _worker(app, "lan")
    await app.desk.claim(lan, case.id, "n1")
    await app.desk.claim(lan, case.id, "n1")  # the same form sent twice: applied once
    async with app.conversations.sessions() as s:
        row = await s.get(HandoffRequest, case.id)
    assert row is not None and (row.status, row.assignee_id) == ("active", lan.id)
    assert row.verify_code is not None and len(row.verify_code) == 4
    assert row.first_response_at is None

    await app.desk.reply(lan, case.id, "Chào bạn, tôi là Lan.", "n2")
    await app.desk.reply(lan, case.id, "Chào bạn, tôi là Lan.", "n2")
    async with app.conversations.sessions() as s:
        out = (await s.scalars(select(Message).where(Message.direction == "out"))).all()
        row = await s.get(HandoffRequest, case.id)
        item = await s.get(OutboxItem, out[0].outbox_id)
    assert [(m.body, m.author_id, m.delivery) for m in out] == [
        ("Chào bạn, tôi là Lan.", lan.id, "queued")
    ]
    assert item is not None and "Chào bạn, tôi là Lan." in item.payload["reply"]["text"]
    assert row is not None and row.status == "waiting_person" and row.first_response_at

    await app.desk.close(lan, case.id, "resolved", "n3")
    async with app.conversations.sessions() as s:
        row = await s.get(HandoffRequest, case.id)
        actions = list(await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert row is not None and (row.status, row.outcome) == ("closed", "resolved")
    assert actions == ["case.claim", "case.reply", "case.close"]
    with pytest.raises(ValueError, match="case_closed"):
        await app.desk.reply(lan, case.id, "còn đó không?", "n4")


async def test_another_team_is_refused_and_the_attempt_audited(app: App, transcript) -> None:
    _chat, case = await _waiting_case(app, transcript)
    other = await _worker(app, "minh", team="thuy-nguyen")
    with pytest.raises(NotAllowed):
        await app.desk.claim(other, case.id, "n1")
    with pytest.raises(NotAllowed):
        await app.desk.add_note(other, case.id, "ghi chú")
    async with app.conversations.sessions() as s:
        rows = (await s.scalars(select(AuditEntry))).all()
        row = await s.get(HandoffRequest, case.id)
    assert [(r.action, r.detail, r.case_id) for r in rows] == [
        ("refused", "claim", case.id),
        ("refused", "note", case.id),
    ]
    assert row is not None and row.assignee_id is None and row.status == "waiting"


async def test_reply_needs_a_claim_and_refusal_loses_nothing(app: App, transcript) -> None:
    _chat, case = await _waiting_case(app, transcript)
    lan = await _worker(app, "lan")
    with pytest.raises(ValueError, match="claim_first"):
        await app.desk.reply(lan, case.id, "xin chào", "n1")
    assert await _count(app, Message, Message.direction == "out") == 0
    await app.desk.claim(lan, case.id, "n2")
    await app.desk.reply(lan, case.id, "xin chào", "n1")  # the refused form's nonce was not used
    assert await _count(app, Message, Message.direction == "out") == 1


async def test_transfer_keeps_the_history_and_the_next_one_joins(
    app: App, transcript, clock: FakeClock
) -> None:
    chat, case = await _waiting_case(app, transcript)
    lan = await _worker(app, "lan")
    hoa = await _worker(app, "hoa", team="kien-an")
    await app.desk.claim(lan, case.id, "n1")
    first_code = await _code(app, case.id)
    await chat.send("tôi đang ở bến xe")
    await app.desk.transfer(lan, case.id, to_team=None, to_caseworker=hoa.id,
                            note="Đã hỏi nơi ở; cần hỗ trợ đi lại.", nonce="n2")  # fmt: skip
    async with app.conversations.sessions() as s:
        row = await s.get(HandoffRequest, case.id)
        notes = (await s.scalars(select(CaseNote))).all()
    assert row is not None and (row.team, row.assignee_id, row.status) == ("kien-an", hoa.id,
                                                                            "waiting")  # fmt: skip
    assert [(n.kind, n.body) for n in notes] == [("transfer", "Đã hỏi nơi ở; cần hỗ trợ đi lại.")]
    with pytest.raises(NotAllowed):  # no longer lan's team, nor lan's case
        await app.desk.reply(lan, case.id, "xin chào", "n3")
    await app.desk.claim(hoa, case.id, "n4")
    assert await _code(app, case.id) not in (None, "")
    assert first_code is not None
    assert await _count(app, Message, Message.case_id == case.id, Message.direction == "in") == 2


async def test_a_transferred_case_takes_its_visits_to_the_new_team(
    app: App, transcript, clock: FakeClock
) -> None:
    _chat, case = await _waiting_case(app, transcript)
    lan = await _worker(app, "lan")
    hoa = await _worker(app, "hoa", team="kien-an")
    async with app.conversations.sessions() as s, s.begin():
        row = await s.get(HandoffRequest, case.id)
        assert row is not None
        visit = await schedule.schedule_visit(
            s, case=row, at=clock() + timedelta(days=3), place="p", note="n",
            created_by=lan.id, now=clock(),
        )  # fmt: skip
    await app.desk.transfer(lan, case.id, to_team="kien-an", to_caseworker=None, note="",
                            nonce="t1")  # fmt: skip
    async with app.conversations.sessions() as s:
        moved = await s.get(Appointment, visit.id)
    assert moved is not None and moved.team == "kien-an" == hoa.team


async def _code(app: App, case_id: int) -> str | None:
    async with app.conversations.sessions() as s:
        row = await s.get(HandoffRequest, case_id)
        return None if row is None else row.verify_code


async def test_changes_are_published_after_commit(app: App, transcript) -> None:
    seen: list[Change] = []
    async with app.bus.subscribe() as changes:

        async def listen() -> None:
            async for change in changes:
                seen.append(change)

        task = asyncio.create_task(listen())
        chat, case = await _waiting_case(app, transcript)
        lan = await _worker(app, "lan")
        await app.desk.claim(lan, case.id, "n1")
        await chat.send("cảm ơn chị")
        await app.desk.reply(lan, case.id, "Không có gì.", "n2")
        await asyncio.sleep(0)
        task.cancel()
    kinds = [c.kind for c in seen if c.case_id == case.id]
    assert kinds[0] == CASE  # the new case
    assert MESSAGE_IN in kinds and MESSAGE_OUT in kinds
    assert all(c.team == "city" for c in seen if c.case_id == case.id)


async def test_erased_person_cannot_be_written_to(app: App, transcript) -> None:
    chat, case = await _waiting_case(app, transcript)
    lan = await _worker(app, "lan")
    await chat.send("xóa")
    await chat.click("Có, xóa hết")
    async with app.conversations.sessions() as s:
        row = await s.get(HandoffRequest, case.id)
    assert row is not None and row.status == "erased" and row.contact_id is None
    with pytest.raises(ValueError, match="person_erased"):
        await app.desk.claim(lan, case.id, "n1")


async def test_two_caseworkers_claiming_at_once_one_wins(app: App, transcript) -> None:
    _chat, case = await _waiting_case(app, transcript)
    lan, hoa = await _worker(app, "lan"), await _worker(app, "hoa")
    results = await asyncio.gather(
        app.desk.claim(lan, case.id, "n-lan"),
        app.desk.claim(hoa, case.id, "n-hoa"),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, ValueError)]
    assert len(refused) == 1 and "claimed_by_other" in str(refused[0])
    async with app.conversations.sessions() as s:
        row = await s.get(HandoffRequest, case.id)
        claims = list(await s.scalars(select(AuditEntry).where(AuditEntry.action == "case.claim")))
    assert row is not None and row.assignee_id in (lan.id, hoa.id)
    assert [c.actor_id for c in claims] == [row.assignee_id]
