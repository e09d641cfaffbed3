"""Re-encryption after a key change, so that an old key can then leave HOTLINE_SECRET_KEYS."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table, bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.crypto import ENCRYPTED_TYPES
from db.models import Base

__all__ = ["reencrypt"]

BATCH = 500


def _encrypted(table: Table) -> list[Column[object]]:
    return [c for c in table.columns if isinstance(c.type, ENCRYPTED_TYPES)]


async def reencrypt(session: AsyncSession) -> int:
    """Rewrite every token with the first key; returns the number of rows rewritten.

    Rotation: put the new key first in HOTLINE_SECRET_KEYS and keep the old one after it,
    restart, run this, then remove the old key. The chat lookup key (db.lookup) is one
    of these tokens: it is re-encrypted, never changed, so every keyed hash stays valid.
    Run it in one transaction; rows written meanwhile are already under the first key.
    """
    total = 0
    for table in Base.metadata.sorted_tables:
        columns = _encrypted(table)
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        statement = (
            update(table)
            .where(tuple_(*keys) == tuple_(*(bindparam(f"pk_{k.name}") for k in keys)))
            .values({c.name: bindparam(c.name, type_=c.type) for c in columns})
        )
        last: tuple[Any, ...] | None = None
        while True:
            query = select(*keys, *columns).order_by(*keys).limit(BATCH)
            if last is not None:
                query = query.where(tuple_(*keys) > tuple_(*last))
            rows = (await session.execute(query)).all()
            if not rows:
                break
            params = [
                {**{f"pk_{k.name}": row[i] for i, k in enumerate(keys)},
                 **{c.name: row[len(keys) + i] for i, c in enumerate(columns)}}
                for row in rows
            ]  # fmt: skip
            await session.execute(statement, params)
            total += len(rows)
            last = tuple(rows[-1][: len(keys)])
    return total
