"""Applies the Alembic migrations from code, so no alembic.ini is needed after pip install."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from db.crypto import configured_cipher
from db.session import make_engine

__all__ = ["MIGRATIONS_DIR", "alembic_config", "make_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")

# Any constant will do; it only has to be the same in every process.
_PG_LOCK_KEY = 0x686F746C696E65  # "hotline"


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the migrations inside this package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser would read "%" in a password as interpolation.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(url: str) -> None:
    """Bring the database at url to the latest revision; safe to call again, or concurrently.

    Works inside a running event loop: Alembic runs on an async connection via run_sync.
    Configure the cipher first (db.crypto.configure_cipher): revisions that convert
    existing rows encrypt them with it.
    """
    engine = make_engine(url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_on, alembic_config(url))
    finally:
        await engine.dispose()


def _upgrade_on(connection: Connection, cfg: Config) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # Two processes starting together would otherwise both try to create the tables.
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    cfg.attributes["connection"] = connection
    cfg.attributes["cipher"] = configured_cipher()
    command.upgrade(cfg, "head")
    if dialect == "sqlite":
        # Migrations run with enforcement off (see make_engine); check nothing broke.
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")


def make_revision(url: str, message: str) -> None:
    """Autogenerate a new revision file from the models (for developers; review its output).

    Synchronous on purpose: call it from a shell, not from inside an event loop, e.g.
    python -c "from db.migrate import make_revision; make_revision('sqlite+aiosqlite:///x', 'm')"
    """
    command.revision(alembic_config(url), message=message, autogenerate=True)
