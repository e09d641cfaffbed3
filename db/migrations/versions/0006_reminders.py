"""Reminders: appointments (visits, peer-group meetings), their people, and the reminder rows.

The `reminders` table is the truth the ticker claims. People gain their reminder
preferences (safe hours, code word); caseworkers gain a linked Telegram chat, an on-call
flag and their lead times; cases gain the time an unclaimed urgent case was escalated;
supervisors' settings get a table of their own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "contact_prefs",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("safe_hours", sa.Text(), nullable=True),
        sa.Column("code_word", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_prefs_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_prefs")),
    )
    op.create_table(
        "service_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["caseworkers.id"],
            name=op.f("fk_service_settings_updated_by_caseworkers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_service_settings")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rrule", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["handoff_requests.id"],
            name=op.f("fk_appointments_case_id_handoff_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["caseworkers.id"],
            name=op.f("fk_appointments_created_by_caseworkers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_appointments_status_next_at", ["status", "next_at"], unique=False)

    op.create_table(
        "appointment_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_people_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["handoff_requests.id"],
            name=op.f("fk_appointment_people_case_id_handoff_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_appointment_people_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_people")),
        sa.UniqueConstraint(
            "appointment_id",
            "contact_id",
            name=op.f("uq_appointment_people_appointment_id_contact_id"),
        ),
    )
    with op.batch_alter_table("appointment_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_people_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_people_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("caseworker_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lead_minutes", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_reminders_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["handoff_requests.id"],
            name=op.f("fk_reminders_case_id_handoff_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["caseworker_id"],
            ["caseworkers.id"],
            name=op.f("fk_reminders_caseworker_id_caseworkers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_reminders_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminders_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reminders_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reminders_caseworker_id"), ["caseworker_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reminders_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index("ix_reminders_status_due_at", ["status", "due_at"], unique=False)

    with op.batch_alter_table("caseworkers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_chat", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("telegram_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("on_call", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "lead_minutes",
                sa.String(length=64),
                server_default=sa.text("'1440,60'"),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("link_code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("link_code_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_caseworkers_telegram_key"), ["telegram_key"]
        )

    with op.batch_alter_table("handoff_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("handoff_requests", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")

    with op.batch_alter_table("caseworkers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_caseworkers_telegram_key"), type_="unique")
        batch_op.drop_column("link_code_until")
        batch_op.drop_column("link_code_hash")
        batch_op.drop_column("lead_minutes")
        batch_op.drop_column("on_call")
        batch_op.drop_column("telegram_key")
        batch_op.drop_column("telegram_chat")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_status_due_at")
        batch_op.drop_index(batch_op.f("ix_reminders_contact_id"))
        batch_op.drop_index(batch_op.f("ix_reminders_caseworker_id"))
        batch_op.drop_index(batch_op.f("ix_reminders_case_id"))
        batch_op.drop_index(batch_op.f("ix_reminders_appointment_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("appointment_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_people_contact_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_people_appointment_id"))

    op.drop_table("appointment_people")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_status_next_at")
        batch_op.drop_index(batch_op.f("ix_appointments_case_id"))

    op.drop_table("appointments")
    op.drop_table("service_settings")
    op.drop_table("contact_prefs")
