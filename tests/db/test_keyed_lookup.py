"""Keyed lookup: a copied database does not say who used the service, and rotation keeps it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.crypto import DecryptionError, configure_cipher
from db.lookup import chat_key, configure_lookup_key, load_lookup_key
from db.outbox import DELETE, MESSAGE, Outbox, OutboxItem
from db.repositories import Consents, Contacts, Handoffs, InboundLog, States
from db.rotation import reencrypt
from db.session import checkpoint

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
CHAT = "chat-zeta-4417"
USER = "user-zeta-8821"
SOURCE = "src_zeta_leaflet"
PURPOSE = "purpose-zeta"
REASON = "reason-zeta"
NEEDLES = [CHAT, USER, SOURCE, PURPOSE, REASON]

Sessions = async_sessionmaker[AsyncSession]


async def _person(sessions: Sessions, chat: str = CHAT) -> int:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("telegram", chat, USER, NOW, source=SOURCE)
        await Contacts(s).mark_urgent(contact.id)
        await Consents(s).record(contact.id, PURPOSE, True, NOW)
        await Handoffs(s).open(contact.id, True, REASON, NOW)
        await States(s).save(contact.id, {"screen": "step", "step": 4}, NOW)
        outbox = Outbox(s)
        outbox.add("telegram", chat, contact.id, MESSAGE, {"n": 1}, NOW)
        outbox.record_message("telegram", chat, "5501", "out", NOW)
        return contact.id


async def _all_values(sessions: Sessions) -> str:
    """Every value of every table, as the database returns it to anyone who can read it."""
    out = []
    async with sessions() as s:
        for table in ("contacts", "consents", "handoff_requests", "outbox", "channel_messages",
                      "keyring", "conversation_states"):  # fmt: skip
            rows = (await s.execute(text(f"SELECT * FROM {table}"))).all()
            assert rows, table
            out += [repr(tuple(r)) for r in rows]
    return "\n".join(out)


async def test_the_tables_hold_no_chat_id_user_id_source_consent_or_reason(
    sessions: Sessions,
) -> None:
    contact_id = await _person(sessions)
    stored = await _all_values(sessions)
    for needle in NEEDLES:
        assert needle not in stored, needle
    assert chat_key("telegram", CHAT) in stored, "the keyed hash is what is stored"
    async with sessions() as s:
        found = await Contacts(s).find("telegram", CHAT)
        assert found is not None and found.id == contact_id
        assert (found.chat_id, found.user_id, found.source, found.urgent) == (
            CHAT, USER, SOURCE, True,
        )  # fmt: skip
        assert await Consents(s).latest(contact_id) == {PURPOSE: True}
        request = await Handoffs(s).open_for(contact_id)
        assert request is not None and request.reason == REASON
        assert await Contacts(s).find("zalo", CHAT) is None, "the channel is part of the key"


def _files(db_file: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db_file.parent.glob(db_file.name + "*")))


async def test_a_copied_sqlite_file_holds_none_of_it(
    engine: AsyncEngine, sessions: Sessions, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("the file check is about SQLite's database and WAL files")
    assert engine.url.database is not None
    await _person(sessions)
    raw = _files(Path(engine.url.database))
    assert chat_key("telegram", CHAT).encode() in raw, "the check below must be able to fail"
    for needle in NEEDLES:
        assert needle.encode() not in raw, needle
    assert await checkpoint(engine)
    raw = _files(Path(engine.url.database))
    for needle in NEEDLES:
        assert needle.encode() not in raw, needle


async def test_the_hash_is_keyed_per_database(sessions: Sessions) -> None:
    ours = chat_key("telegram", CHAT)
    assert ours == chat_key("telegram", CHAT) and len(ours) == 64
    assert ours != chat_key("zalo", CHAT)
    configure_lookup_key(b"another database's key")
    assert chat_key("telegram", CHAT) != ours, "without the key, a guess cannot be checked"


async def test_concurrent_first_starts_agree_on_one_key(engine: AsyncEngine) -> None:
    from db.session import make_sessionmaker

    factory = make_sessionmaker(engine)
    keys = await asyncio.gather(*(load_lookup_key(factory, NOW) for _ in range(4)))
    assert len(set(keys)) == 1
    async with factory() as s:
        assert await s.scalar(text("SELECT count(*) FROM keyring")) == 1


async def test_rotating_the_secret_keys_keeps_people_found(sessions: Sessions) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    configure_cipher(MultiFernet([Fernet(old)]))
    configure_lookup_key(None)
    # A fresh database key under the old secret key, as on a real first start.
    async with sessions() as s, s.begin():
        await s.execute(text("DELETE FROM keyring"))
    configure_lookup_key(await load_lookup_key(sessions, NOW))
    contact_id = await _person(sessions)

    # The new key goes first, the old one stays second: everything still reads; rotate.
    configure_cipher(MultiFernet([Fernet(new), Fernet(old)]))
    configure_lookup_key(await load_lookup_key(sessions, NOW))
    async with sessions() as s, s.begin():
        assert await reencrypt(s) >= 6

    # Old key removed, process restarted: the same person, their state resumes.
    configure_cipher(MultiFernet([Fernet(new)]))
    configure_lookup_key(None)
    configure_lookup_key(await load_lookup_key(sessions, NOW))
    async with sessions() as s, s.begin():
        again = await Contacts(s).get_or_create("telegram", CHAT, USER, NOW + timedelta(days=1))
        assert again.id == contact_id and again.source == SOURCE and again.urgent
        assert await States(s).load(contact_id) == {"screen": "step", "step": 4}
        assert await Consents(s).latest(contact_id) == {PURPOSE: True}
        assert await Outbox(s).queue_chat_deletion("telegram", CHAT, NOW) == 1


async def test_without_reencryption_the_old_key_cannot_go(sessions: Sessions) -> None:
    """The rotation test above fails if reencrypt forgets the lookup key: shown here."""
    await _person(sessions)
    configure_cipher(MultiFernet([Fernet(Fernet.generate_key())]))
    with pytest.raises(DecryptionError):
        await load_lookup_key(sessions, NOW)


async def test_inbound_events_are_forgotten_after_a_week(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        log = InboundLog(s)
        assert await log.first_time("telegram", "u:1:100", NOW)
        assert await log.first_time("telegram", "u:1:101", NOW + timedelta(days=6))
    async with sessions() as s, s.begin():
        assert await InboundLog(s).prune(NOW + timedelta(days=7, seconds=1)) == 1
    async with sessions() as s:
        left = (await s.execute(text("SELECT external_id FROM inbound_events"))).scalars()
        assert list(left) == ["u:1:101"]


async def test_database_errors_do_not_quote_their_parameters(sessions: Sessions) -> None:
    with pytest.raises(DBAPIError) as caught:
        async with sessions() as s:
            await s.execute(text("SELECT no_such_column FROM contacts WHERE channel = :c"),
                            {"c": CHAT})  # fmt: skip
    assert "no_such_column" in str(caught.value) and CHAT not in str(caught.value)
    assert "parameters hidden" in str(caught.value)


async def test_a_second_erase_keeps_the_deletions_a_first_one_queued(sessions: Sessions) -> None:
    """During an outage the first erase's deletions wait; erasing again must not drop them."""
    async with sessions() as s, s.begin():
        Outbox(s).record_message("telegram", CHAT, "501", "out", NOW)
        assert await Outbox(s).queue_chat_deletion("telegram", CHAT, NOW) == 1
    async with sessions() as s, s.begin():
        Outbox(s).record_message("telegram", CHAT, "502", "in", NOW)
        assert await Outbox(s).queue_chat_deletion("telegram", CHAT, NOW) == 1
    async with sessions() as s:
        query = select(OutboxItem).where(OutboxItem.kind == DELETE).order_by(OutboxItem.id)
        items = (await s.scalars(query)).all()
        assert [item.payload["message_ids"] for item in items] == [["501"], ["502"]]
