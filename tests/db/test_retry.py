"""The retry rule on real errors: SQLite's lock, PostgreSQL's deadlock and serialization failure."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.retry import is_retryable
from db.session import make_engine


async def caught(coro) -> BaseException:
    try:
        await coro
    except Exception as error:
        return error
    raise AssertionError("no error")


async def test_a_constraint_violation_is_not_retried(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        await conn.execute(text("INSERT INTO t VALUES (1)"))
        error = await caught(conn.execute(text("INSERT INTO t VALUES (1)")))
    assert isinstance(error, IntegrityError) and not is_retryable(error)


async def test_sqlite_locked_is_retried(db_url: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's lock")
    holder, waiter = make_engine(db_url), make_engine(db_url)
    try:
        async with holder.connect() as conn, waiter.connect() as other:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            await conn.commit()
            await other.exec_driver_sql("PRAGMA busy_timeout=0")
            await other.rollback()
            await conn.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock
            error = await caught(other.execute(text("INSERT INTO t VALUES (2)")))
    finally:
        await holder.dispose()
        await waiter.dispose()
    assert isinstance(error, DBAPIError) and "locked" in str(error)
    assert is_retryable(error)


async def pg_pair(db_url: str, backend: str) -> tuple[AsyncEngine, AsyncEngine]:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's errors")
    first, second = make_engine(db_url), make_engine(db_url)
    async with first.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (1, 0), (2, 0)"))
    return first, second


async def test_a_real_postgresql_deadlock_is_retried(db_url: str, backend: str) -> None:
    first, second = await pg_pair(db_url, backend)
    try:
        async with first.connect() as a, second.connect() as b:
            await a.execute(text("UPDATE t SET v = 1 WHERE id = 1"))
            await b.execute(text("UPDATE t SET v = 2 WHERE id = 2"))
            results = await asyncio.gather(
                a.execute(text("UPDATE t SET v = 1 WHERE id = 2")),
                b.execute(text("UPDATE t SET v = 2 WHERE id = 1")),
                return_exceptions=True,
            )
            await a.rollback()
            await b.rollback()
    finally:
        await first.dispose()
        await second.dispose()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, "the server breaks the deadlock by failing one side"
    assert getattr(errors[0], "orig").sqlstate == "40P01"  # noqa: B009
    assert is_retryable(errors[0])


async def test_a_real_serialization_failure_is_retried(db_url: str, backend: str) -> None:
    first, second = await pg_pair(db_url, backend)
    try:
        async with first.connect() as a, second.connect() as b:
            for conn in (a, b):
                await conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                await conn.execute(text("SELECT v FROM t WHERE id = 1"))
            await a.execute(text("UPDATE t SET v = 1 WHERE id = 1"))
            await a.commit()
            error = await caught(b.execute(text("UPDATE t SET v = 2 WHERE id = 1")))
            await b.rollback()
    finally:
        await first.dispose()
        await second.dispose()
    assert getattr(error, "orig").sqlstate == "40001"  # noqa: B009
    assert is_retryable(error)
