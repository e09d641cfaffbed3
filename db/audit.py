"""The audit log: who viewed or changed which case, when; written, never edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry

DETAIL_LENGTH = 200


class Audit:
    """Append and read audit rows; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def record(
        self,
        actor_id: int | None,
        actor: str,
        action: str,
        now: datetime,
        *,
        case_id: int | None = None,
        detail: str = "",
        address: str = "",
    ) -> None:
        """Append one row; detail must be a code or a count, never what a person wrote."""
        self._session.add(
            AuditEntry(
                at=now, actor_id=actor_id, actor=actor[:64], action=action[:32],
                case_id=case_id, detail=detail[:DETAIL_LENGTH], address=address[:64],
            )
        )  # fmt: skip

    async def recent(
        self, limit: int = 200, case_id: int | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        """The newest rows first, for the admins' page; filtered by case and by action."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if case_id is not None:
            query = query.where(AuditEntry.case_id == case_id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(await self._session.scalars(query))

    async def actions(self) -> list[str]:
        """The actions recorded so far, for the page's filter."""
        found = await self._session.scalars(select(AuditEntry.action).distinct())
        return sorted(found)
