"""Migration 0005 turns queue requests into cases, keeps them through a round trip, and on
PostgreSQL makes the audit log append-only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from db.audit import Audit
from db.crypto import configured_cipher
from db.migrate import alembic_config, upgrade
from db.session import make_engine, make_sessionmaker

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)


def _to(conn: Connection, url: str, revision: str, down: bool = False) -> None:
    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    cfg.attributes["cipher"] = configured_cipher()
    (command.downgrade if down else command.upgrade)(cfg, revision)


def _fill_0004(conn: Connection) -> None:
    at: Any = NOW.replace(tzinfo=None) if conn.dialect.name == "sqlite" else NOW
    for id_, urgent, status in ((1, True, "open"), (2, False, "open"), (3, False, "erased")):
        conn.execute(
            text("INSERT INTO handoff_requests (id, contact_id, urgent, reason, status, "
                 "created_at) VALUES (:i, NULL, :u, 'token', :s, :t)"),
            {"i": id_, "u": urgent, "s": status, "t": at},
        )  # fmt: skip


async def _cases(conn: Any) -> list[tuple[Any, ...]]:
    rows = await conn.execute(
        text("SELECT id, status, priority, team FROM handoff_requests ORDER BY id")
    )
    return [tuple(r) for r in rows]


async def test_open_requests_become_waiting_cases_and_back(database_url: str) -> None:
    engine = make_engine(database_url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_to, database_url, "0004")
            await conn.run_sync(_fill_0004)
        await upgrade(database_url)
        async with engine.connect() as conn:
            assert await _cases(conn) == [
                (1, "waiting", "urgent", "city"),
                (2, "waiting", "normal", "city"),
                (3, "erased", "normal", "city"),
            ]
        async with engine.begin() as conn:
            await conn.run_sync(_to, database_url, "0004", True)
            rows = await conn.execute(text("SELECT status FROM handoff_requests ORDER BY id"))
            assert [r[0] for r in rows] == ["open", "open", "erased"]
    finally:
        await engine.dispose()


async def test_audit_log_refuses_update_and_delete_on_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite has one local writer")
    await upgrade(database_url)
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as s, s.begin():
            Audit(s).record(1, "lan", "case.view", NOW, case_id=7)
        for statement in (
            "UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):  # fmt: skip
            with pytest.raises(DBAPIError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT actor FROM audit_log"))).all() == [("lan",)]
    finally:
        await engine.dispose()
