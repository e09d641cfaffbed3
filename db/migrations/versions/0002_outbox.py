"""The outbox (replies sent after commit) and channel message ids (for erasing a chat).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 09:49:59.944939
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "channel_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_messages")),
    )
    with op.batch_alter_table("channel_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_messages_channel_chat_id_at"),
            ["channel", "chat_id", "at"],
            unique=False,
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_outbox_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_channel_chat_id_id"), ["channel", "chat_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_status_next_attempt_at"),
            ["status", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_contact_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_channel_chat_id_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("channel_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_messages_channel_chat_id_at"))

    op.drop_table("channel_messages")
