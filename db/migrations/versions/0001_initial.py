"""Initial schema: contacts, state, inbound dedupe, consents, declarations, queue, messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported from db.models: a revision must keep describing the
# schema as it was, whatever the models become. Encrypted columns are TEXT holding tokens.
UTC_TIME = sa.DateTime(timezone=True)


def _contact_fk(table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["contact_id"],
        ["contacts.id"],
        name=op.f(f"fk_{table}_contact_id_contacts"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_seen_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("channel", "chat_id", name=op.f("uq_contacts_channel_chat_id")),
    )
    op.create_table(
        "inbound_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_inbound_events_channel_external_id")
        ),
    )
    op.create_table(
        "conversation_states",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _contact_fk("conversation_states", "CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_conversation_states")),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        _contact_fk("consents", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_table(
        "declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        _contact_fk("declarations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint("ref", name=op.f("uq_declarations_ref")),
    )
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'open'"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("anonymised_at", UTC_TIME, nullable=True),
        _contact_fk("handoff_requests", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_requests")),
    )
    op.create_index(
        "ix_handoff_requests_status_urgent_created_at",
        "handoff_requests",
        ["status", "urgent", "created_at"],
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        _contact_fk("messages", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index("ix_messages_contact_id_created_at", "messages", ["contact_id", "created_at"])


def downgrade() -> None:
    """Drop the tables, children first."""
    op.drop_index("ix_messages_contact_id_created_at", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_handoff_requests_status_urgent_created_at", table_name="handoff_requests")
    op.drop_table("handoff_requests")
    op.drop_table("declarations")
    op.drop_table("consents")
    op.drop_table("conversation_states")
    op.drop_table("inbound_events")
    op.drop_table("contacts")
