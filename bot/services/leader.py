"""One leader per job across processes (a channel's sender, the ticker), by an advisory lock.

On PostgreSQL, leading "sender:telegram" means holding a session-level advisory lock on a
connection of its own. The lock dies with that connection, so when the leader's process
dies the server frees it at once, and the others, each trying again every RETRY seconds,
take over within that time. A leader that loses its connection, or cannot reach the server
for CHECK seconds, stops its work at once: someone else may lead by then.
SQLite has one process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

RETRY = 3.0
"""Seconds between a follower's attempts to take the lock."""
CHECK = 3.0
"""Seconds between the leader's checks that its connection (and so its lock) is alive."""

Work = Callable[[], Awaitable[None]]


class Leader(Protocol):
    """Runs work only while this process leads its name."""

    name: str

    @property
    def leading(self) -> bool:
        """True while this process holds the leadership."""

    async def run(self, work: Work) -> None:
        """Forever: wait to lead, run work while leading, stop it when leadership is lost."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (the same in every process)."""
    digest = hashlib.blake2b(f"hotline:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def application_name(name: str) -> str:
    """How pg_stat_activity shows a would-be leader: which job, which process."""
    return f"hotline-leader:{os.getpid()}:{name}"[:63]


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as a DSN that asyncpg itself accepts."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class AlwaysLeader:
    """SQLite: one process, which leads everything."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._leading = False

    @property
    def leading(self) -> bool:
        return self._leading

    async def run(self, work: Work) -> None:
        self._leading = True
        try:
            await work()
        finally:
            self._leading = False


class AdvisoryLeader:
    """PostgreSQL: leads while holding pg_try_advisory_lock on a dedicated connection."""

    def __init__(
        self, database_url: str, name: str, *, retry: float = RETRY, check: float = CHECK
    ) -> None:
        self.name, self.retry, self.check = name, retry, check
        self._dsn, self._key = asyncpg_dsn(database_url), lock_key(name)
        self._leading = False

    @property
    def leading(self) -> bool:
        return self._leading

    async def run(self, work: Work) -> None:
        while True:
            conn = await self._acquire()
            try:
                await self._lead(conn, work)
            finally:
                self._leading = False
                await _close(conn)
            log.warning("%s: leadership lost; trying to take it again", self.name)

    async def _acquire(self) -> Any:
        """Wait until this process holds the lock; return its connection."""
        while True:
            conn: Any = None
            try:
                conn = await asyncpg.connect(
                    self._dsn,
                    timeout=self.check * 2,
                    server_settings={"application_name": application_name(self.name)},
                )
                if await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key):
                    log.info("%s: this process leads", self.name)
                    return conn
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                log.warning("%s: cannot reach the database to lead (%s)", self.name, type(error))
            await _close(conn)
            await asyncio.sleep(self.retry)

    async def _lead(self, conn: Any, work: Work) -> None:
        """Run work until it ends or the connection, and with it the lock, is gone."""
        self._leading = True
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        task = asyncio.create_task(work(), name=f"leader:{self.name}")
        watch = asyncio.create_task(self._watch(conn, lost))
        try:
            await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, watch):
                pending.cancel()
            await asyncio.gather(task, watch, return_exceptions=True)
        if task.done() and not task.cancelled() and (error := task.exception()) is not None:
            log.error("%s: the leader's work failed", self.name, exc_info=error)
            await asyncio.sleep(self.retry)  # then lead (and start it) again

    async def _watch(self, conn: Any, lost: asyncio.Event) -> None:
        """Return as soon as the connection is closed or stops answering."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=self.check)
            if lost.is_set():
                return
            try:
                await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=self.check)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                return


async def _close(conn: Any) -> None:
    """Close, or if the server is gone, drop; closing frees the lock on the server."""
    if conn is None:
        return
    try:
        await asyncio.wait_for(conn.close(), timeout=2)
    except Exception:
        conn.terminate()


def make_leader(database_url: str, name: str, *, retry: float = RETRY) -> Leader:
    """AdvisoryLeader on PostgreSQL, AlwaysLeader on SQLite."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return AdvisoryLeader(database_url, name, retry=retry)
    return AlwaysLeader(name)
