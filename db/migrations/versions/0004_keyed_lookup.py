"""Nothing that says who used the service in clear: keyed hashes for lookups, tokens for the rest.

contacts, outbox and channel_messages find a chat by chat_key, an HMAC of channel and
chat id under a random key kept encrypted in the new table "keyring" (see db/lookup.py,
whose chat_key this file must compute identically). Chat ids, user ids, campaign
sources, urgency, consents and handoff reasons become Fernet tokens, like db/crypto.py
writes them. Existing rows are converted in place, which needs the cipher: db.migrate
passes it in config.attributes["cipher"].

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOOKUP_KEY_NAME = "chat_lookup"
KEY = sa.String(length=64)
PLAIN_ID = sa.String(length=64)
UTC_TIME = sa.DateTime(timezone=True)
# What a boolean becomes when cast to text: SQLite gives 1/0, PostgreSQL true/false.
TRUE_TEXTS = {"1", "true", "t"}
_Convert = Callable[[Any], Any]


def _cipher() -> Any:
    cipher = context.config.attributes.get("cipher")
    if cipher is None:
        raise RuntimeError(
            "Migration 0004 encrypts the existing rows and needs the encryption keys: set "
            "HOTLINE_SECRET_KEYS (or keep var/secret.key) and upgrade with `hotline db upgrade`."
        )
    return cipher


def _encrypt(plain: str) -> str:
    return str(_cipher().encrypt(plain.encode("utf-8")).decode("ascii"))


def _decrypt(token: str) -> str:
    return str(_cipher().decrypt(token.encode("ascii")).decode("utf-8"))


def _enc_text(value: Any) -> Any:
    return None if value is None else _encrypt(str(value))


def _enc_bool(value: Any) -> Any:
    return None if value is None else _encrypt(json.dumps(str(value).lower() in TRUE_TEXTS))


def _dec_text(value: Any) -> Any:
    return None if value is None else _decrypt(value)


def _dec_bool(value: Any) -> Any:
    return None if value is None else bool(json.loads(_decrypt(value)))


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else now


def _lookup_key() -> bytes:
    """The key of db.lookup, created here when existing rows must be hashed."""
    conn = op.get_bind()
    found = conn.execute(
        sa.text("SELECT secret FROM keyring WHERE name = :n"), {"n": LOOKUP_KEY_NAME}
    ).scalar()
    if found is not None:
        return _decrypt(found).encode("ascii")
    secret = secrets.token_urlsafe(32)
    conn.execute(
        sa.text("INSERT INTO keyring (name, secret, created_at) VALUES (:n, :s, :t)"),
        {"n": LOOKUP_KEY_NAME, "s": _encrypt(secret), "t": _now()},
    )
    return secret.encode("ascii")


def _chat_key(key: bytes, channel: str, chat_id: str) -> str:
    return hmac.new(key, f"{channel}\x00{chat_id}".encode(), hashlib.sha256).hexdigest()


def _rewrite(table: str, columns: dict[str, _Convert], hashed: bool = False) -> None:
    """Convert each row's columns in place; with hashed, also set chat_key from chat_id."""
    conn = op.get_bind()
    names = sorted(set(columns) | ({"channel", "chat_id"} if hashed else set()))
    rows = conn.execute(sa.text(f"SELECT id, {', '.join(names)} FROM {table}")).mappings().all()
    if not rows:
        return
    key = _lookup_key() if hashed else b""
    updates = []
    for row in rows:
        new = {"id": row["id"], **{c: convert(row[c]) for c, convert in columns.items()}}
        if hashed:
            new["chat_key"] = _chat_key(key, row["channel"], str(row["chat_id"]))
        updates.append(new)
    sets = ", ".join(f"{c} = :{c}" for c in updates[0] if c != "id")
    conn.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), updates)


def _to_text(batch: Any, column: str, old: Any, nullable: bool, **kw: Any) -> None:
    using = {"postgresql_using": f"{column}::text"} if isinstance(old, sa.Boolean) else {}
    batch.alter_column(
        column, type_=sa.Text(), existing_type=old, existing_nullable=nullable, **using, **kw
    )


def upgrade() -> None:
    """Hash the lookups, encrypt the rest, convert the rows that exist."""
    op.create_table(
        "keyring",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_keyring")),
    )

    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("chat_key", KEY, nullable=True))
        batch.drop_constraint("uq_contacts_channel_chat_id", type_="unique")
        _to_text(batch, "chat_id", PLAIN_ID, False)
        _to_text(batch, "user_id", PLAIN_ID, True)
        _to_text(batch, "source", sa.String(length=64), True)
        _to_text(
            batch, "urgent", sa.Boolean(), False,
            server_default=None, existing_server_default=sa.false(),
        )  # fmt: skip
    _rewrite(
        "contacts",
        {"chat_id": _enc_text, "user_id": _enc_text, "source": _enc_text, "urgent": _enc_bool},
        hashed=True,
    )
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("chat_key", existing_type=KEY, nullable=False)
        batch.create_unique_constraint(batch.f("uq_contacts_chat_key"), ["chat_key"])

    with op.batch_alter_table("consents") as batch:
        _to_text(batch, "purpose", sa.String(length=32), False)
        _to_text(batch, "granted", sa.Boolean(), False)
    _rewrite("consents", {"purpose": _enc_text, "granted": _enc_bool})

    with op.batch_alter_table("handoff_requests") as batch:
        _to_text(batch, "reason", sa.String(length=32), False)
    _rewrite("handoff_requests", {"reason": _enc_text})

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("chat_key", KEY, nullable=True))
        batch.drop_index("ix_outbox_channel_chat_id_id")
        _to_text(batch, "chat_id", PLAIN_ID, False)
    _rewrite("outbox", {"chat_id": _enc_text}, hashed=True)
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("chat_key", existing_type=KEY, nullable=False)
        batch.create_index(batch.f("ix_outbox_chat_key_id"), ["chat_key", "id"], unique=False)

    with op.batch_alter_table("channel_messages") as batch:
        batch.add_column(sa.Column("chat_key", KEY, nullable=True))
        batch.drop_index("ix_channel_messages_channel_chat_id_at")
    _rewrite("channel_messages", {}, hashed=True)
    with op.batch_alter_table("channel_messages") as batch:
        batch.drop_column("chat_id")
        batch.alter_column("chat_key", existing_type=KEY, nullable=False)
        batch.create_index(
            batch.f("ix_channel_messages_chat_key_at"), ["chat_key", "at"], unique=False
        )

    with op.batch_alter_table("inbound_events") as batch:
        batch.create_index(batch.f("ix_inbound_events_received_at"), ["received_at"])


def _from_text(batch: Any, column: str, new: Any, nullable: bool, **kw: Any) -> None:
    using = {"postgresql_using": f"{column}::boolean"} if isinstance(new, sa.Boolean) else {}
    batch.alter_column(
        column, type_=new, existing_type=sa.Text(), existing_nullable=nullable, **using, **kw
    )


def _plain_bool(value: Any) -> Any:
    # Text until the column is boolean again: "1"/"0" cast back on SQLite and PostgreSQL alike.
    return None if value is None else ("1" if _dec_bool(value) else "0")


def downgrade() -> None:
    """Decrypt back into the plaintext columns (message ids of erased chats are dropped)."""
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_index(batch.f("ix_inbound_events_received_at"))

    conn = op.get_bind()
    with op.batch_alter_table("channel_messages") as batch:
        batch.add_column(sa.Column("chat_id", PLAIN_ID, nullable=True))
        batch.drop_index(batch.f("ix_channel_messages_chat_key_at"))
    owners = {
        key: _decrypt(token)
        for key, token in conn.execute(sa.text("SELECT chat_key, chat_id FROM contacts"))
    }
    owners.update(
        {key: _decrypt(token) for key, token in conn.execute(
            sa.text("SELECT chat_key, chat_id FROM outbox"))}
    )  # fmt: skip
    for key, chat_id in owners.items():
        conn.execute(
            sa.text("UPDATE channel_messages SET chat_id = :c WHERE chat_key = :k"),
            {"c": chat_id, "k": key},
        )
    conn.execute(sa.text("DELETE FROM channel_messages WHERE chat_id IS NULL"))
    with op.batch_alter_table("channel_messages") as batch:
        batch.drop_column("chat_key")
        batch.alter_column("chat_id", existing_type=PLAIN_ID, nullable=False)
        batch.create_index(
            "ix_channel_messages_channel_chat_id_at", ["channel", "chat_id", "at"], unique=False
        )

    _rewrite("outbox", {"chat_id": _dec_text})
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_chat_key_id"))
        batch.drop_column("chat_key")
        _from_text(batch, "chat_id", PLAIN_ID, False)
        batch.create_index(
            "ix_outbox_channel_chat_id_id", ["channel", "chat_id", "id"], unique=False
        )

    _rewrite("handoff_requests", {"reason": _dec_text})
    with op.batch_alter_table("handoff_requests") as batch:
        _from_text(batch, "reason", sa.String(length=32), False)

    _rewrite("consents", {"purpose": _dec_text, "granted": _plain_bool})
    with op.batch_alter_table("consents") as batch:
        _from_text(batch, "purpose", sa.String(length=32), False)
        _from_text(batch, "granted", sa.Boolean(), False)

    _rewrite(
        "contacts",
        {"chat_id": _dec_text, "user_id": _dec_text, "source": _dec_text, "urgent": _plain_bool},
    )
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint(batch.f("uq_contacts_chat_key"), type_="unique")
        batch.drop_column("chat_key")
        _from_text(batch, "chat_id", PLAIN_ID, False)
        _from_text(batch, "user_id", PLAIN_ID, True)
        _from_text(batch, "source", sa.String(length=64), True)
        _from_text(batch, "urgent", sa.Boolean(), False, server_default=sa.false())
        batch.create_unique_constraint("uq_contacts_channel_chat_id", ["channel", "chat_id"])

    op.drop_table("keyring")
