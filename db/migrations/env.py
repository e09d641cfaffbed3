"""Alembic environment: runs on a connection handed over by db.migrate, or opens its own."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from db.models import Base
from db.session import make_engine

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, obj: Any, _ctx: AutogenContext) -> str | Literal[False]:
    # Revisions must not import db.*: write our column types as the plain types they store,
    # so that an old revision still runs after the models change.
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_own_engine(url: str) -> None:
    engine = make_engine(url, foreign_keys=False)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_run_on)
            await conn.commit()
    finally:
        await engine.dispose()


def _main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url set; use db.migrate")
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target_metadata,
            render_as_batch=True,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    # Only reached from synchronous callers (e.g. command.revision in a shell);
    # db.migrate.upgrade always passes a connection, so it works inside a running loop.
    asyncio.run(_run_own_engine(url))


_main()
