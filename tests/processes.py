"""`hotline serve` as a real child process, for tests of several processes on one PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bot.app import App
from bot.settings import Settings
from tests.fakes.telegram_server import FakeTelegram
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pg_settings(settings: Settings) -> Settings:
    """The test's settings, on PostgreSQL only: SQLite is one process's database."""
    if not settings.db_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL only")
    return settings


@dataclass
class Served:
    """A running `hotline serve`: its process and where its web app answers."""

    proc: asyncio.subprocess.Process
    base_url: str


@asynccontextmanager
async def hotline_serve(
    settings: Settings,
    folder: Path,
    tg: FakeTelegram | None = None,
    extra: Mapping[str, str] | None = None,
) -> AsyncIterator[Served]:
    """Start it on the settings' database; with tg, Telegram by webhook (so that processes do
    not compete for getUpdates). Ready once /healthz answers and, with tg, its webhook is set.
    extra: more HOTLINE_ settings for the child (e.g. its time zone).
    """
    port = free_port()
    await asyncio.to_thread(folder.mkdir, parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    assert settings.secret_keys is not None
    env |= {
        "HOTLINE_VAR_DIR": str(folder / "var"),
        "HOTLINE_DATABASE_URL": settings.db_url,
        "HOTLINE_SECRET_KEYS": settings.secret_keys.get_secret_value(),
        "HOTLINE_PORT": str(port),
        # The checkout under test, not whichever one the environment installed.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    }
    if tg is not None:
        env |= {
            "HOTLINE_TELEGRAM_TOKEN": tg.token,
            "HOTLINE_TELEGRAM_API_BASE": tg.base_url,
            "HOTLINE_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/webhooks/telegram",
        }
    env |= dict(extra or {})
    hooks = len(tg.calls_of("setWebhook")) if tg is not None else 0
    base = f"http://127.0.0.1:{port}"
    with (folder / "stderr.log").open("wb") as errors:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", env=env, cwd=folder,
            stdout=asyncio.subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(600):
                try:
                    if (await http.get(base + "/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.returncode is None, (folder / "stderr.log").read_text()
                await asyncio.sleep(0.1)
        if tg is not None:
            await tg.wait_for(lambda: len(tg.calls_of("setWebhook")) > hooks, timeout=60)
        yield Served(proc, base)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout=30)


async def leader_pid(app: App, job: str) -> int:
    """The OS process that holds a job's advisory lock (bot.services.leader), e.g. "ticker"."""
    for _ in range(100):
        async with app.db.connect() as conn:
            name = await conn.scalar(
                text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    "AND a.datname = current_database() "
                    "AND a.application_name LIKE :name"
                ),
                {"name": f"hotline-leader:%:{job}"},
            )
        if name:
            return int(name.split(":")[1])
        await asyncio.sleep(0.1)
    raise AssertionError(f"nobody leads {job}")
