"""Database fixtures: each test gets a freshly migrated database, SQLite and maybe PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from db.crypto import configure_cipher
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker

POSTGRES_ENV = "HOTLINE_TEST_POSTGRES_URL"

BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get(POSTGRES_ENV) else [])]


@pytest.fixture(autouse=True)
def cipher() -> Iterator[MultiFernet]:
    """A fresh key per test, unset afterwards so no test relies on another's key."""
    c = MultiFernet([Fernet(Fernet.generate_key())])
    configure_cipher(c)
    yield c
    configure_cipher(None)


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a file in a temporary folder, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        # A folder that does not exist yet: make_engine must create it.
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
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to head through db.migrate.upgrade."""
    await upgrade(db_url)
    eng = make_engine(db_url)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The application's session factory on the test engine."""
    return make_sessionmaker(engine)


@pytest.fixture
def backend(engine: AsyncEngine) -> str:
    """ "sqlite" or "postgresql"."""
    return engine.dialect.name
