"""Engines and sessions, with the SQLite settings that make erasure and savepoints real."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["checkpoint", "make_engine", "make_sessionmaker"]

log = logging.getLogger(__name__)

_SQLITE_PRAGMAS = (
    # First, so that the pragmas below wait for a lock instead of failing at once.
    "PRAGMA busy_timeout=5000",
    # Erased rows are overwritten with zeros instead of lingering in free pages.
    "PRAGMA secure_delete=ON",
)


def make_engine(url: str, *, foreign_keys: bool = True) -> AsyncEngine:
    """An async engine; on SQLite, with foreign keys, secure delete, WAL and real savepoints.

    foreign_keys=False is for migrations only: SQLite batch mode drops and recreates
    tables, and with enforcement on, dropping "contacts" would cascade to its children.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = create_async_engine(url)
    pragmas = (f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}", *_SQLITE_PRAGMAS)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module, which would otherwise
        # begin late and commit early, so that BEGIN and SAVEPOINT mean what they say.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and
        # then writes fails at once with "database is locked" when another wrote meanwhile,
        # instead of waiting busy_timeout for its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _use_wal(cursor: Any) -> None:
    # WAL is stored in the file, so this normally finds it set. On a new file, two
    # connections switching at once deadlock and SQLite fails one of them without waiting;
    # that one only has to see that the other succeeded.
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] == "wal":
        return
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] != "wal":
            raise


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy reloads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def checkpoint(engine: AsyncEngine) -> bool:
    """On SQLite, move the WAL into the database file and truncate it; True when complete.

    Called after an erase, so that the deleted rows do not survive in the -wal file.
    A no-op returning True on other databases.
    """
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        # Outside any transaction: a checkpoint cannot run inside one.
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log_frames, _done = await cursor.fetchone()
        await cursor.close()
    if busy:
        log.warning("WAL checkpoint was blocked by another connection; will complete later")
    return not busy
