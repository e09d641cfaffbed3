"""Linking a caseworker's Telegram: one-time codes, once, in time, on Telegram only.

Also the on-call flag, lead times and the escalation time the alerts read.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import caseworker_links as links
from db.lookup import chat_key
from db.models import AuditEntry, Caseworker, Team

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def add(sessions: Sessions, name: str, role: str = "caseworker", team: str = "city") -> int:
    """An account without the argon2 cost: these tests never log in."""
    async with sessions() as s, s.begin():
        if await s.get(Team, team) is None:
            s.add(Team(code=team, name=team.title()))
            await s.flush()
        account = Caseworker(
            username=name, password_hash="-", role=role, team=team, locale="vi",
            active=True, created_at=NOW,
        )  # fmt: skip
        s.add(account)
        await s.flush()
        return account.id


async def code_for(sessions: Sessions, caseworker_id: int, now: datetime = NOW) -> str:
    async with sessions() as s, s.begin():
        return await links.new_link_code(s, caseworker_id, now)


async def link(
    sessions: Sessions, code: str, chat: str, now: datetime = NOW, channel: str = "telegram"
) -> str | None:
    async with sessions() as s, s.begin():
        account = await links.link_telegram(s, code, channel, chat, now)
        return None if account is None else account.username


async def account(sessions: Sessions, caseworker_id: int) -> Caseworker:
    async with sessions() as s:
        found = await s.get(Caseworker, caseworker_id)
        assert found is not None
        return found


async def test_a_code_is_eight_digits_stored_only_as_its_hash(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    code = await code_for(sessions, lan)
    assert len(code) == 8 and code.isdigit()
    stored = await account(sessions, lan)
    assert stored.link_code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert stored.link_code_until == NOW + timedelta(minutes=10)


async def test_a_code_links_the_chat_once(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    code = await code_for(sessions, lan)
    assert await link(sessions, f" {code} ", "5550001", NOW + timedelta(minutes=9)) == "lan"
    linked = await account(sessions, lan)
    assert linked.telegram_chat == "5550001"
    assert linked.telegram_key == chat_key("telegram", "5550001")
    assert linked.link_code_hash is None and linked.link_code_until is None
    async with sessions() as s:
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "telegram.linked"))
        assert audit is not None and (audit.actor, audit.detail) == ("lan", "")
    assert await link(sessions, code, "5550002") is None, "single use"
    assert (await account(sessions, lan)).telegram_chat == "5550001"


async def test_an_expired_code_is_refused_and_forgotten(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    code = await code_for(sessions, lan)
    assert await link(sessions, code, "5550001", NOW + timedelta(minutes=10)) is None
    stored = await account(sessions, lan)
    assert stored.telegram_chat is None and stored.link_code_hash is None


async def test_a_wrong_code_links_nobody(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    code = await code_for(sessions, lan)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    assert await link(sessions, wrong, "5550001") is None
    assert await link(sessions, "", "5550001") is None
    assert await link(sessions, "abc", "5550001") is None
    assert await link(sessions, code, "5550001") == "lan", "wrong guesses do not burn the code"


async def test_a_new_code_replaces_the_old_one(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    old = await code_for(sessions, lan)
    new = await code_for(sessions, lan)
    if old != new:
        assert await link(sessions, old, "5550001") is None
    assert await link(sessions, new, "5550001") == "lan"


async def test_only_telegram_chats_can_link(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    code = await code_for(sessions, lan)
    assert await link(sessions, code, "zalo-user", channel="zalo") is None
    assert await link(sessions, code, "test-chat", channel="test") is None
    assert await link(sessions, code, "5550001") == "lan", "a refused channel burns nothing"


async def test_every_pending_code_is_compared_in_constant_time(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [await add(sessions, name) for name in ("an", "binh", "chi")]
    codes = [await code_for(sessions, i) for i in ids]
    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert await link(sessions, "00000000" if "00000000" not in codes else "99999999", "1") is None
    assert len(compared) == 3, "a wrong code is compared with every pending code"
    compared.clear()
    assert await link(sessions, codes[0], "1") == "an"
    assert len(compared) == 3, "a right code does not stop the comparisons early"


async def test_one_chat_belongs_to_one_account(sessions: Sessions) -> None:
    lan, minh = await add(sessions, "lan"), await add(sessions, "minh")
    assert await link(sessions, await code_for(sessions, lan), "5550001") == "lan"
    assert await link(sessions, await code_for(sessions, minh), "5550001") == "minh"
    assert (await account(sessions, lan)).telegram_key is None
    assert (await account(sessions, minh)).telegram_chat == "5550001"


async def test_an_inactive_account_cannot_link(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    code = await code_for(sessions, lan)
    async with sessions() as s, s.begin():
        (await s.get(Caseworker, lan)).active = False  # type: ignore[union-attr]
    assert await link(sessions, code, "5550001") is None


async def test_on_call_linked_and_supervisors(sessions: Sessions) -> None:
    on = await add(sessions, "on", team="north")
    off = await add(sessions, "off", team="north")
    unlinked = await add(sessions, "unlinked", team="north")
    other = await add(sessions, "other", team="south")
    boss = await add(sessions, "boss", role="supervisor")
    for n, cw in enumerate((on, off, other, boss)):
        assert await link(sessions, await code_for(sessions, cw), str(9000 + n))
    async with sessions() as s, s.begin():
        for cw in (on, unlinked, other):
            await links.set_on_call(s, cw, True)
    async with sessions() as s:
        assert [a.username for a in await links.on_call_linked(s, "north")] == ["on"]
        assert [a.username for a in await links.on_call_linked(s, "south")] == ["other"]
        assert [a.username for a in await links.linked_supervisors(s)] == ["boss"]
    async with sessions() as s, s.begin():
        await links.unlink(s, on)
        await links.set_on_call(s, off, True)
    async with sessions() as s:
        assert [a.username for a in await links.on_call_linked(s, "north")] == ["off"]
        names = await s.scalars(select(Caseworker.username).where(Caseworker.on_call.is_(True)))
        assert sorted(names) == ["off", "on", "other", "unlinked"]


async def test_lead_times_and_escalation_minutes(sessions: Sessions) -> None:
    lan = await add(sessions, "lan")
    async with sessions() as s, s.begin():
        assert await links.set_lead_minutes(s, lan, [60, 1440, 60, 180]) == "1440,180,60"
        assert await links.set_lead_minutes(s, lan, []) == ""
        with pytest.raises(ValueError, match=r"console\.error\.lead_minutes"):
            await links.set_lead_minutes(s, lan, [0])
        assert await links.escalation_minutes(s) == links.DEFAULT_ESCALATION_MINUTES == 10
        await links.set_escalation_minutes(s, 25, lan, NOW)
        with pytest.raises(ValueError, match=r"console\.error\.escalation_minutes"):
            await links.set_escalation_minutes(s, 0, lan, NOW)
    async with sessions() as s, s.begin():
        assert await links.escalation_minutes(s) == 25
        await links.set_escalation_minutes(s, 5, None, NOW + timedelta(hours=1))
    async with sessions() as s:
        assert await links.escalation_minutes(s) == 5
