"""Migrations: they build exactly the models' schema, on SQLite and PostgreSQL, repeatably."""

from __future__ import annotations

import asyncio
import re
import stat
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from setuptools import find_packages
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.migrate import MIGRATIONS_DIR, alembic_config, upgrade
from db.models import Base
from db.session import make_engine

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "contacts",
    "conversation_states",
    "inbound_events",
    "consents",
    "declarations",
    "handoff_requests",
    "messages",
    "outbox",
    "channel_messages",
    "places",
    "keyring",
    "teams",
    "team_communes",
    "caseworkers",
    "case_notes",
    "canned_replies",
    "audit_log",
    "media",
    "contact_prefs",
    "service_settings",
    "appointments",
    "appointment_people",
    "reminders",
}


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_schema_matches_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables == TABLES | {"alembic_version"}


def _constraints(conn: Connection) -> dict[str, Any]:
    insp = inspect(conn)
    return {
        "uq": sorted(u["name"] for t in TABLES for u in insp.get_unique_constraints(t)),
        "fk": sorted(
            (f["name"], f["options"].get("ondelete"))
            for t in TABLES
            for f in insp.get_foreign_keys(t)
        ),
    }


async def test_constraint_names_follow_the_convention(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        found = await conn.run_sync(_constraints)
    assert found["uq"] == [
        "uq_appointment_people_appointment_id_contact_id",
        "uq_caseworkers_telegram_key",
        "uq_caseworkers_username",
        "uq_contacts_chat_key",
        "uq_declarations_ref",
        "uq_inbound_events_channel_external_id",
        "uq_places_key",
    ]
    assert found["fk"] == [
        ("fk_appointment_people_appointment_id_appointments", "CASCADE"),
        ("fk_appointment_people_case_id_handoff_requests", "SET NULL"),
        ("fk_appointment_people_contact_id_contacts", "CASCADE"),
        ("fk_appointments_case_id_handoff_requests", "SET NULL"),
        ("fk_appointments_created_by_caseworkers", "SET NULL"),
        ("fk_canned_replies_updated_by_caseworkers", "SET NULL"),
        ("fk_case_notes_author_id_caseworkers", "SET NULL"),
        ("fk_case_notes_case_id_handoff_requests", "CASCADE"),
        ("fk_caseworkers_team_teams", None),
        ("fk_consents_contact_id_contacts", "CASCADE"),
        ("fk_contact_prefs_contact_id_contacts", "CASCADE"),
        ("fk_conversation_states_contact_id_contacts", "CASCADE"),
        ("fk_declarations_contact_id_contacts", "CASCADE"),
        ("fk_handoff_requests_assignee_id_caseworkers", "SET NULL"),
        ("fk_handoff_requests_contact_id_contacts", "SET NULL"),
        ("fk_media_contact_id_contacts", "CASCADE"),
        ("fk_messages_author_id_caseworkers", "SET NULL"),
        ("fk_messages_case_id_handoff_requests", "SET NULL"),
        ("fk_messages_contact_id_contacts", "CASCADE"),
        ("fk_messages_media_id_media", "SET NULL"),
        ("fk_outbox_contact_id_contacts", "SET NULL"),
        ("fk_reminders_appointment_id_appointments", "CASCADE"),
        ("fk_reminders_case_id_handoff_requests", "CASCADE"),
        ("fk_reminders_caseworker_id_caseworkers", "CASCADE"),
        ("fk_reminders_contact_id_contacts", "CASCADE"),
        ("fk_service_settings_updated_by_caseworkers", "SET NULL"),
        ("fk_team_communes_team_code_teams", "CASCADE"),
    ]


async def _version(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list(
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
            )
    finally:
        await engine.dispose()


async def test_upgrade_is_idempotent_and_safe_concurrently(db_url: str) -> None:
    await asyncio.gather(upgrade(db_url), upgrade(db_url))
    await upgrade(db_url)
    assert await _version(db_url) == [
        ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    ]


def _downgrade_to_base(conn: Connection, url: str) -> set[str]:
    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    command.downgrade(cfg, "base")
    return set(inspect(conn).get_table_names())


async def test_downgrade_then_upgrade_again(engine: AsyncEngine, db_url: str) -> None:
    async with engine.begin() as conn:
        assert await conn.run_sync(_downgrade_to_base, db_url) == {"alembic_version"}
    await upgrade(db_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


def test_migrations_ship_in_the_package() -> None:
    packages = find_packages(str(ROOT), include=["db*"])
    assert {"db.migrations", "db.migrations.versions"} <= set(packages)
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()  # *.mako is in package-data


def test_revisions_do_not_import_the_models() -> None:
    for revision in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"):
        source = revision.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) db\b", source, re.MULTILINE), revision.name


async def test_sqlite_connections_get_the_pragmas(engine: AsyncEngine, backend: str) -> None:
    if backend != "sqlite":
        return
    async with engine.connect() as conn:
        got = {
            p: (await conn.exec_driver_sql(f"PRAGMA {p}")).scalar()
            for p in ("foreign_keys", "secure_delete", "journal_mode", "busy_timeout")
        }
    assert got == {
        "foreign_keys": 1,
        "secure_delete": 1,
        "journal_mode": "wal",
        "busy_timeout": 5000,
    }


async def test_sqlite_files_are_private(engine: AsyncEngine, backend: str) -> None:
    if backend != "sqlite":
        return
    assert engine.url.database is not None
    db_file = Path(engine.url.database)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
    for path in (db_file, db_file.with_name(db_file.name + "-wal"), db_file.parent):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
