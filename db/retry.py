"""Which database errors mean "not applied, try again": SQLite busy, PostgreSQL conflicts."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

RETRY_SQLSTATES = frozenset({"40001", "40P01"})
"""Serialization failure and deadlock: PostgreSQL rolled the transaction back."""


def is_retryable(error: BaseException) -> bool:
    """True for SQLite's "database is locked" and PostgreSQL's 40001 and 40P01."""
    if not isinstance(error, DBAPIError):
        return False
    if "locked" in str(error):
        return True
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    cause = getattr(orig, "__cause__", None)
    code = code or getattr(cause, "sqlstate", None)
    return code in RETRY_SQLSTATES
