"""Leases on rows, so that several processes share a queue and none takes another's work.

One primitive serves the outbox and the reminders ticker. A claim is one statement:

    UPDATE t SET claimed_by=:me, claimed_until=:now+lease, ...
    WHERE id IN (SELECT id FROM t WHERE ... ORDER BY ... LIMIT n FOR UPDATE SKIP LOCKED)
    RETURNING t.*

On PostgreSQL, SKIP LOCKED lets concurrent claimers pass over each other's rows instead of
waiting for them or taking them twice. SQLite has one process and takes its write lock at
BEGIN (BEGIN IMMEDIATE, db.session), so the same statement without the lock clause is safe.

A model that can be claimed has an integer `id` and the columns `claimed_by` (str) and
`claimed_until` (UTC datetime). Times come from the caller's clock, so tests move them; the
processes of one deployment need clocks in step (NTP), well within a lease.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["claim", "expired", "held_by", "process_identity", "release_values", "renew"]

T = TypeVar("T")


def process_identity() -> str:
    """Who claims: host, pid and a random tail, unique even when a pid is reused."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def expired(model: Any, now: datetime) -> ColumnElement[bool]:
    """Rows whose lease ran out, or that never had one."""
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


def held_by(model: Any, owner: str) -> ColumnElement[bool]:
    """Rows whose lease is this owner's (for recording an outcome only while it is ours)."""
    mine: ColumnElement[bool] = model.claimed_by == owner
    return mine


def release_values() -> dict[str, Any]:
    """The values that end a lease, to add to the outcome's own UPDATE."""
    return {"claimed_by": None, "claimed_until": None}


async def claim(
    session: AsyncSession,
    model: type[T],
    *,
    where: Iterable[ColumnElement[bool]],
    order_by: Iterable[Any],
    limit: int,
    owner: str,
    now: datetime,
    lease: timedelta,
    values: Mapping[str, Any] | None = None,
) -> list[T]:
    """Lease up to limit rows matching where, in order, to owner; return them, loaded.

    values are set on the claimed rows too (e.g. a status). The caller owns the
    transaction; the lease holds once it commits.
    """
    table: Any = model
    chosen = select(table.id).where(*where).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    statement = (
        update(table)
        .where(table.id.in_(chosen.scalar_subquery()))
        .values(claimed_by=owner, claimed_until=now + lease, **dict(values or {}))
        .returning(table)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list(await session.scalars(statement))
    rows.sort(key=lambda row: row.id)
    return rows


async def renew(
    session: AsyncSession,
    model: Any,
    ids: Collection[int],
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
) -> set[int]:
    """Extend owner's leases on these rows; return the ids that are still owner's."""
    if not ids:
        return set()
    result = await session.execute(
        update(model)
        .where(and_(model.id.in_(list(ids)), held_by(model, owner)))
        .values(claimed_until=now + lease)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())
