"""The audit log is append-only: PostgreSQL's trigger refuses UPDATE and DELETE on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.audit import Audit
from db.models import AuditEntry

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def test_recent_filters_by_case_and_action_newest_first(sessions: Sessions) -> None:
    async with sessions() as s, s.begin():
        audit = Audit(s)
        audit.record(1, "lan", "case.view", NOW, case_id=7)
        audit.record(1, "lan", "lookup", NOW, detail="found")
        audit.record(2, "minh", "case.view", NOW, case_id=8)
    async with sessions() as s:
        audit = Audit(s)
        assert [e.actor for e in await audit.recent()] == ["minh", "lan", "lan"]
        assert [e.case_id for e in await audit.recent(action="case.view")] == [8, 7]
        assert [e.action for e in await audit.recent(case_id=7)] == ["case.view"]
        assert await audit.actions() == ["case.view", "lookup"]


async def test_postgres_refuses_update_and_delete_of_audit_rows(
    sessions: Sessions, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    async with sessions() as s, s.begin():
        Audit(s).record(1, "lan", "lookup", NOW, detail="private")
    for statement in (
        update(AuditEntry).values(detail="edited"),
        delete(AuditEntry),
    ):
        async with sessions() as s:
            with pytest.raises(DBAPIError, match="append-only"):
                async with s.begin():
                    await s.execute(statement)
    async with sessions() as s:
        rows = (
            await s.execute(select(AuditEntry.detail, func.count()).group_by(AuditEntry.detail))
        ).all()
    assert rows == [("private", 1)]
