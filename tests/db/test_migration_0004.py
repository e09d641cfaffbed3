"""Migration 0004 converts the rows of a database that holds chat ids in clear, and back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from db.crypto import configure_cipher, configured_cipher
from db.lookup import chat_key, configure_lookup_key, load_lookup_key
from db.migrate import alembic_config, upgrade
from db.outbox import Outbox
from db.repositories import Consents, Contacts, Handoffs
from db.session import make_engine, make_sessionmaker

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
CHAT, USER, SOURCE = "chat-zeta-5150", "user-zeta-5151", "src_zeta_poster"


def _to(conn: Connection, url: str, revision: str, down: bool = False) -> None:
    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    cfg.attributes["cipher"] = configured_cipher()
    (command.downgrade if down else command.upgrade)(cfg, revision)


def _fill_0003(conn: Connection) -> None:
    at: Any = NOW.replace(tzinfo=None) if conn.dialect.name == "sqlite" else NOW
    conn.execute(
        text("INSERT INTO contacts (id, channel, chat_id, user_id, source, urgent, created_at, "
             "last_seen_at) VALUES (1, 'telegram', :c, :u, :s, :urgent, :t, :t)"),
        {"c": CHAT, "u": USER, "s": SOURCE, "urgent": True, "t": at},
    )  # fmt: skip
    conn.execute(
        text("INSERT INTO consents (contact_id, purpose, granted, recorded_at) "
             "VALUES (1, 'record', :g, :t)"),
        {"g": False, "t": at},
    )  # fmt: skip
    conn.execute(
        text("INSERT INTO handoff_requests (contact_id, urgent, reason, status, created_at) "
             "VALUES (1, :u, 'danger', 'open', :t)"),
        {"u": True, "t": at},
    )  # fmt: skip
    conn.execute(
        text("INSERT INTO outbox (channel, chat_id, contact_id, kind, status, attempts, "
             "next_attempt_at, created_at) VALUES ('telegram', :c, 1, 'message', 'pending', 0, "
             ":t, :t)"),
        {"c": CHAT, "t": at},
    )  # fmt: skip
    conn.execute(
        text("INSERT INTO channel_messages (channel, chat_id, message_id, direction, at) "
             "VALUES ('telegram', :c, '77', 'out', :t)"),
        {"c": CHAT, "t": at},
    )  # fmt: skip


async def _dump(conn: Any) -> str:
    out = []
    for table in ("contacts", "consents", "handoff_requests", "outbox", "channel_messages"):
        out += [repr(tuple(r)) for r in (await conn.execute(text(f"SELECT * FROM {table}")))]
    return "\n".join(out)


async def test_existing_rows_are_hashed_and_encrypted_then_restored(database_url: str) -> None:
    engine = make_engine(database_url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_to, database_url, "0003")
            await conn.run_sync(_fill_0003)
        await upgrade(database_url)
        sessions = make_sessionmaker(engine)
        configure_lookup_key(await load_lookup_key(sessions, NOW))
        async with engine.connect() as conn:
            stored = await _dump(conn)
        for needle in (CHAT, USER, SOURCE, "danger", "record"):
            assert needle not in stored, needle
        assert stored.count(chat_key("telegram", CHAT)) == 3

        async with sessions() as s, s.begin():
            contact = await Contacts(s).find("telegram", CHAT)
            assert contact is not None and contact.id == 1
            assert (contact.chat_id, contact.user_id, contact.source, contact.urgent) == (
                CHAT, USER, SOURCE, True,
            )  # fmt: skip
            assert await Consents(s).latest(1) == {"record": False}
            request = await Handoffs(s).open_for(1)
            assert request is not None and (request.reason, request.urgent) == ("danger", True)
            heads = await Outbox(s).due_heads("telegram", NOW, 10)
            assert [h.chat_id for h in heads] == [CHAT]

        async with engine.begin() as conn:
            await conn.run_sync(_to, database_url, "0003", True)
            stored = await _dump(conn)
        for needle in (CHAT, USER, SOURCE, "danger", "record", "'77'"):
            assert needle in stored, needle
    finally:
        await engine.dispose()


async def test_existing_rows_without_keys_fail_clearly(database_url: str) -> None:
    engine = make_engine(database_url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_to, database_url, "0003")
            await conn.run_sync(_fill_0003)
        configure_cipher(None)
        with pytest.raises(RuntimeError, match="HOTLINE_SECRET_KEYS"):
            await upgrade(database_url)
        async with engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        assert version == "0003", "nothing half-done"
    finally:
        await engine.dispose()
