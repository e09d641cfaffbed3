"""Shared fixtures: a clock that tests move by hand, a ready app, and a chat-transcript client."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.app import App, build_app
from bot.settings import Settings
from tests.support import FakeClock, Transcript

POSTGRES_ENV = "HOTLINE_TEST_POSTGRES_URL"
pytest_plugins = ["tests.processes"]
"""pg_settings and hotline_serve, for the tests of several processes."""

BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get(POSTGRES_ENV) else [])]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A SQLite file in a temporary folder, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'hotline.sqlite3'}"
        return
    server = make_url(os.environ[POSTGRES_ENV])
    name = f"hotline_test_{uuid4().hex[:16]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test: its own folder, database and key."""
    return Settings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        secret_keys=SecretStr(Fernet.generate_key().decode()),
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    """The real application on a fresh database."""
    application = await build_app(settings, clock)
    yield application
    await application.close()


@pytest.fixture
def transcript(app: App) -> Callable[..., Transcript]:
    """Make a chat client: transcript() or transcript(chat="other", lang_hint="en")."""
    return lambda **kw: Transcript(app, **kw)
