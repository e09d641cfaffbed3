"""What the console reads about cases: queues by view, one case's history, notes, media.

Read-only: every change to a case goes through bot.services.case_desk. The visibility rule
is bot.services.access.can_see; the queries here apply the same rule in SQL (a team's
cases and one's own), and the console checks each row with can_see again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CASE_CLOSED,
    CASE_OPEN,
    CaseNote,
    Caseworker,
    Contact,
    Declaration,
    HandoffRequest,
    Media,
    Message,
)

VIEWS = ("mine", "unassigned", "team", "all", "closed")
CLOSED_SHOWN = 100
HISTORY_SHOWN = 500
_RANK = case(
    (HandoffRequest.priority == "urgent", 0), (HandoffRequest.priority == "high", 1), else_=2
)


@dataclass(frozen=True)
class Viewer:
    """Who reads (the fields of bot.services.access.Actor that the queries need)."""

    id: int
    team: str
    sees_all: bool


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.sees_all:
        return true()
    return or_(HandoffRequest.team == viewer.team, HandoffRequest.assignee_id == viewer.id)


def _view(view: str, viewer: Viewer) -> ColumnElement[bool]:
    is_open = HandoffRequest.status.in_(CASE_OPEN)
    if view == "mine":
        return and_(is_open, HandoffRequest.assignee_id == viewer.id)
    if view == "unassigned":
        return and_(is_open, HandoffRequest.assignee_id.is_(None))
    if view == "team":
        return and_(is_open, HandoffRequest.team == viewer.team)
    if view == "all":
        return is_open if viewer.sees_all else false()
    if view == "closed":
        return HandoffRequest.status == CASE_CLOSED
    raise ValueError(f"unknown view {view!r}")


class CaseReads:
    """Queries for the console; the caller owns the session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def queue(self, view: str, viewer: Viewer) -> list[HandoffRequest]:
        """One inbox view: open cases most urgent, then oldest, first; closed ones newest first."""
        query = select(HandoffRequest).where(_view(view, viewer), _visible(viewer))
        if view == "closed":
            query = query.order_by(HandoffRequest.closed_at.desc(), HandoffRequest.id.desc())
            query = query.limit(CLOSED_SHOWN)
        else:
            query = query.order_by(_RANK, HandoffRequest.created_at, HandoffRequest.id)
        return list(await self._session.scalars(query))

    @staticmethod
    def in_view(case_row: HandoffRequest, view: str, viewer: Viewer) -> bool:
        """Whether a case belongs in a view (the live inbox adds or removes rows by this)."""
        is_open = case_row.status in CASE_OPEN
        return {
            "mine": is_open and case_row.assignee_id == viewer.id,
            "unassigned": is_open and case_row.assignee_id is None,
            "team": is_open and case_row.team == viewer.team,
            "all": is_open and viewer.sees_all,
            "closed": case_row.status == CASE_CLOSED,
        }.get(view, False)

    async def get(self, case_id: int) -> HandoffRequest | None:
        """One case, whoever may see it (the caller checks)."""
        return await self._session.get(HandoffRequest, case_id)

    async def contact(self, case_row: HandoffRequest) -> Contact | None:
        """The person behind a case (None once they erased their data)."""
        if case_row.contact_id is None:
            return None
        return await self._session.get(Contact, case_row.contact_id)

    async def history(self, case_row: HandoffRequest, after: int = 0) -> list[Message]:
        """The case's messages both ways, oldest first (after: only newer ids, for live updates).

        Messages stored with this case's id, and the person's messages from the case's time
        that carry no case id (kept before a case id was recorded on each message).
        """
        if case_row.contact_id is None:
            mine: ColumnElement[bool] = Message.case_id == case_row.id
        else:
            during = and_(
                Message.case_id.is_(None),
                Message.contact_id == case_row.contact_id,
                Message.created_at >= case_row.created_at,
            )
            if case_row.closed_at is not None:
                during = and_(during, Message.created_at <= case_row.closed_at)
            mine = or_(Message.case_id == case_row.id, during)
        query = (
            select(Message)
            .where(mine, Message.id > after)
            .order_by(Message.created_at, Message.id)
            .limit(HISTORY_SHOWN)
        )
        return list(await self._session.scalars(query))

    async def notes(self, case_id: int) -> list[CaseNote]:
        """Internal notes (transfer notes too), oldest first."""
        query = select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)
        return list(await self._session.scalars(query))

    async def declarations(self, contact_id: int | None) -> list[Declaration]:
        """The person's declarations, newest first."""
        if contact_id is None:
            return []
        query = (
            select(Declaration)
            .where(Declaration.contact_id == contact_id)
            .order_by(Declaration.created_at.desc())
        )
        return list(await self._session.scalars(query))

    async def names(self) -> dict[int, str]:
        """Account id to username, for assignees and authors."""
        rows = await self._session.execute(select(Caseworker.id, Caseworker.username))
        return {row.id: row.username for row in rows}

    async def media(self, media_id: int) -> Media | None:
        """One stored file."""
        return await self._session.get(Media, media_id)

    async def mimes(self, media_ids: list[int]) -> dict[int, str]:
        """The stored type of each file (without reading the files)."""
        if not media_ids:
            return {}
        rows = await self._session.execute(
            select(Media.id, Media.mime).where(Media.id.in_(media_ids))
        )
        return {row.id: row.mime for row in rows}

    async def cases_of_media(self, media: Media) -> list[HandoffRequest]:
        """The cases whose history holds this file (who may see it follows from them)."""
        query = (
            select(HandoffRequest)
            .join(Message, Message.case_id == HandoffRequest.id)
            .where(Message.media_id == media.id)
        )
        found = list(await self._session.scalars(query))
        if found:
            return found
        query = select(HandoffRequest).where(HandoffRequest.contact_id == media.contact_id)
        return list(await self._session.scalars(query))

    async def latest_message_id(self) -> int:
        """The newest message id: a live view sends only what comes after it."""
        found = await self._session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1))
        return int(found or 0)


def waited(case_row: HandoffRequest, now: datetime) -> tuple[float, float | None]:
    """Seconds the case has waited (until its first answer, or now), and to the first answer."""
    first = case_row.first_response_at
    end = first or case_row.closed_at or now
    return max((end - case_row.created_at).total_seconds(), 0.0), (
        (first - case_row.created_at).total_seconds() if first else None
    )
