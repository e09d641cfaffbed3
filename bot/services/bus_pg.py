"""The change bus across processes: PostgreSQL's LISTEN/NOTIFY, no other server needed.

publish() runs `SELECT pg_notify('hotline_changes', payload)` on a connection of its own,
after the caller's commit, so listeners only hear of committed rows. Each process holds
one listening connection, opened by its first subscriber, and hands every notification,
its own included, to its local subscribers (LocalBus.deliver). If that connection drops it
reconnects; notifications sent meanwhile are lost, so subscribers then get a RESYNC change,
on which a live view reloads what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.services.bus import Bus, Change, LocalBus
from bot.services.leader import asyncpg_dsn

log = logging.getLogger(__name__)

CHANNEL = "hotline_changes"
RESYNC = "resync"
"""The kind of the change a subscriber gets after the bus missed some (a reconnection)."""
CHECK = 5.0
"""Seconds between checks that the listening connection is alive."""
RECONNECT = 1.0
LISTENER = "hotline-bus"
"""The listening connection's application_name, as pg_stat_activity shows it."""


class PgBus:
    """LISTEN/NOTIFY on one channel; implements bot.services.bus.Bus."""

    def __init__(
        self,
        database_url: str,
        *,
        channel: str = CHANNEL,
        check: float = CHECK,
        reconnect: float = RECONNECT,
    ) -> None:
        self._dsn, self.channel = asyncpg_dsn(database_url), channel
        self.check, self.reconnect = check, reconnect
        self._local = LocalBus()
        self._pool: Any = None
        self._pool_lock = asyncio.Lock()
        self._listening = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, change: Change) -> None:
        """Notify every process (this one through its own listener)."""
        pool = await self._publisher()
        for attempt in range(2):  # a pooled connection the server dropped fails once
            try:
                await pool.execute("SELECT pg_notify($1, $2)", self.channel, change.to_json())
                return
            except (OSError, asyncpg.InterfaceError):
                if attempt:
                    raise

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Change]]:
        """Changes from every process, from the moment this returns."""
        async with self._local.subscribe() as changes:
            if self._listener is None or self._listener.done():
                self._listener = asyncio.create_task(self._listen_forever(), name="pg-bus")
            # Unreachable database: go on; a RESYNC follows once the listener connects.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), timeout=self.check * 2)
            yield changes

    async def close(self) -> None:
        """Stop listening and close the connections (at shutdown)."""
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _publisher(self) -> Any:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=4)
            return self._pool

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            change = Change.from_json(payload)
        except (ValueError, AttributeError):
            log.warning("ignored a malformed change on %s", self.channel)
            return
        self._local.deliver(change)

    async def _listen_forever(self) -> None:
        """Hold the listening connection; reconnect, and tell subscribers to resync, if lost."""
        missed = False
        while True:
            conn: Any = None
            try:
                conn = await asyncpg.connect(
                    self._dsn,
                    timeout=self.check * 2,
                    server_settings={"application_name": LISTENER},
                )
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await conn.add_listener(self.channel, self._on_notify)
                self._listening.set()
                if missed:
                    self._local.deliver(Change(RESYNC))
                    log.info("change bus: listening again")
                await self._watch(conn, lost)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as e:
                log.warning("change bus: cannot listen (%s); retrying", type(e).__name__)
            finally:
                if conn is not None:
                    try:
                        await asyncio.wait_for(conn.close(), timeout=2)
                    except Exception:
                        conn.terminate()
            missed = True
            await asyncio.sleep(self.reconnect)

    async def _watch(self, conn: Any, lost: asyncio.Event) -> None:
        """Return when the connection closes or stops answering."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=self.check)
            if lost.is_set():
                return
            await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=self.check)


def make_bus(database_url: str) -> Bus:
    """LocalBus for SQLite (one process), PgBus for PostgreSQL (several)."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return PgBus(database_url)
    return LocalBus()
