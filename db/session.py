"""Engines and sessions, with the SQLite settings that make erasure and savepoints real."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sqlite3
import time
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
    # Persistent, so normally already set by _prepare_file; kept for URI and memory databases.
    "PRAGMA journal_mode=WAL",
)


class _NoResultRows(logging.Filter):
    """At debug level SQLAlchemy logs every result row, already decrypted: never those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


def _hide_result_rows() -> None:
    engine_log = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, _NoResultRows) for f in engine_log.filters):
        engine_log.addFilter(_NoResultRows())


def make_engine(
    url: str, *, foreign_keys: bool = True, one_writer: bool = False, read_only: bool = False
) -> AsyncEngine:
    """An async engine; on SQLite, with foreign keys, secure delete, WAL and real savepoints.

    foreign_keys=False is for migrations only: SQLite batch mode drops and recreates
    tables, and with enforcement on, dropping "contacts" would cascade to its children.
    Bound parameters are hidden from errors and logs, and result rows from the debug log:
    they carry chat ids and what people wrote.

    read_only (SQLite) is for the console's live views: several connections that only read,
    each in a deferred transaction, so that WAL lets them read while the writer writes
    instead of queueing behind it for the one writer's connection.
    """
    _hide_result_rows()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        _prepare_file(Path(database).expanduser())
    # SQLite has one writer at a time. With one_writer, transactions queue for the single
    # connection in asyncio instead of spinning in SQLite's busy handler, where many at
    # once outlast busy_timeout ("database is locked"). Nested sessions would deadlock.
    engine = (
        create_async_engine(url, pool_size=1, max_overflow=0, hide_parameters=True)
        if one_writer
        else create_async_engine(url, hide_parameters=True)
    )
    pragmas: tuple[str, ...] = (
        f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}", *_SQLITE_PRAGMAS,
    )  # fmt: skip
    if read_only:
        pragmas = (*pragmas, "PRAGMA query_only=ON")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module, which would otherwise
        # begin late and commit early, so that BEGIN and SAVEPOINT mean what they say.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and
        # then writes fails at once with "database is locked" when another wrote meanwhile,
        # instead of waiting busy_timeout for its turn.
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _prepare_file(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Created private before SQLite opens it; SQLite gives the -wal file the same mode.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # Switch to WAL once, here, rather than in every new connection: two connections
    # switching a new file at once deadlock, and SQLite fails one without waiting.
    for attempt in itertools.count():
        conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
            raise RuntimeError(f"SQLite refused WAL mode for {path}")
        except sqlite3.OperationalError:
            if attempt >= 100:
                raise
            time.sleep(0.01)
        finally:
            conn.close()


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
