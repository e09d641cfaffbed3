"""Which database errors mean "run the transaction again": the loser of a race, not a bug.

SQLite: "database is locked" (another writer held the lock past busy_timeout).
PostgreSQL: SQLSTATE 40001 (serialization failure) and 40P01 (deadlock detected). Through
SQLAlchemy and asyncpg these arrive as sqlalchemy.exc.DBAPIError whose .orig carries the
code as .sqlstate (and .pgcode), with the asyncpg exception as its __cause__.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")

__all__ = ["RETRYABLE_SQLSTATES", "is_retryable"]


def _codes(error: BaseException) -> set[str]:
    found = set()
    for name in ("sqlstate", "pgcode"):
        value = getattr(error, name, None)
        if isinstance(value, str):
            found.add(value)
    return found


def is_retryable(error: BaseException) -> bool:
    """True when the whole unit of work may simply be tried again."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _codes(current) & RETRYABLE_SQLSTATES:
            return True
        busy = isinstance(current, sqlite3.OperationalError | OperationalError)
        if busy and any(text in str(current).lower() for text in SQLITE_BUSY):
            return True
        orig = getattr(current, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None, current.__cause__]
    return False
