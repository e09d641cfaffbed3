"""Database fixtures: each test gets a freshly migrated database, SQLite and maybe PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from db.crypto import configure_cipher
from db.lookup import configure_lookup_key, load_lookup_key
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker


@pytest.fixture(autouse=True)
def cipher() -> Iterator[MultiFernet]:
    """A fresh key per test, unset afterwards so no test relies on another's key."""
    c = MultiFernet([Fernet(Fernet.generate_key())])
    configure_cipher(c)
    yield c
    configure_cipher(None)
    configure_lookup_key(None)


@pytest.fixture
def db_url(database_url: str) -> str:
    """An empty database (see tests/conftest.py): SQLite, and PostgreSQL when configured."""
    return database_url


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
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The application's session factory on the test engine, with the lookup key loaded."""
    factory = make_sessionmaker(engine)
    configure_lookup_key(await load_lookup_key(factory, datetime.now(UTC)))
    return factory


@pytest.fixture
def backend(engine: AsyncEngine) -> str:
    """ "sqlite" or "postgresql"."""
    return engine.dialect.name
