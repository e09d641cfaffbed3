"""Casework: cases with teams and assignees, accounts, notes, media, an append-only audit log.

The queue requests become cases: "open" requests are now "waiting", and gain a priority,
a team, an assignee, a verification code and the times the service level is measured by.
Messages gain a case, a kind, a link to media and their delivery status. The outbox gains
a lease (claimed_by, claimed_until), so that several processes never send one item twice.
Declarations gain coarse columns that the supervisors' figures count.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)

_REFUSE_CHANGES = """
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
_TRIGGER = """
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()
"""
_NO_TRUNCATE = """
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()
"""


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "teams",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_teams")),
    )
    op.execute("INSERT INTO teams (code, name) VALUES ('city', 'City team')")
    op.create_table(
        "team_communes",
        sa.Column("ward_code", sa.String(length=8), nullable=False),
        sa.Column("team_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_code"], ["teams.code"], name=op.f("fk_team_communes_team_code_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ward_code", name=op.f("pk_team_communes")),
    )  # fmt: skip
    op.create_table(
        "caseworkers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["team"], ["teams.code"], name=op.f("fk_caseworkers_team_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caseworkers")),
        sa.UniqueConstraint("username", name=op.f("uq_caseworkers_username")),
    )
    with op.batch_alter_table("handoff_requests") as batch:
        batch.add_column(
            sa.Column("priority", sa.String(length=8), server_default="normal", nullable=False)
        )
        batch.add_column(
            sa.Column("team", sa.String(length=32), server_default="city", nullable=False)
        )
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verify_code", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("first_response_at", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("closed_at", UTC_TIME, nullable=True))
        batch.add_column(sa.Column("updated_at", UTC_TIME, nullable=True))
        batch.create_foreign_key(
            op.f("fk_handoff_requests_assignee_id_caseworkers"), "caseworkers",
            ["assignee_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
        batch.create_index("ix_handoff_requests_assignee_id", ["assignee_id"], unique=False)
        batch.create_index("ix_handoff_requests_team_status", ["team", "status"], unique=False)
        batch.alter_column("status", server_default="waiting")
    op.execute("UPDATE handoff_requests SET status = 'waiting' WHERE status = 'open'")
    op.execute("UPDATE handoff_requests SET priority = 'urgent' WHERE urgent")
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["handoff_requests.id"],
            name=op.f("fk_case_notes_case_id_handoff_requests"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["caseworkers.id"],
            name=op.f("fk_case_notes_author_id_caseworkers"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )  # fmt: skip
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"], unique=False)
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["caseworkers.id"],
            name=op.f("fk_canned_replies_updated_by_caseworkers"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )  # fmt: skip
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_REFUSE_CHANGES)
        op.execute(_TRIGGER)
        op.execute(_NO_TRUNCATE)
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("mime", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_media_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
    )  # fmt: skip
    op.create_index("ix_media_contact_id", "media", ["contact_id"], unique=False)
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("kind", sa.String(length=12), server_default="text", nullable=False)
        )
        batch.add_column(sa.Column("media_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("delivery", sa.String(length=12), nullable=True))
        batch.create_foreign_key(
            op.f("fk_messages_case_id_handoff_requests"), "handoff_requests",
            ["case_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
        batch.create_foreign_key(
            op.f("fk_messages_media_id_media"), "media", ["media_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
        batch.create_foreign_key(
            op.f("fk_messages_author_id_caseworkers"), "caseworkers", ["author_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
        batch.create_index("ix_messages_case_id", ["case_id"], unique=False)
        batch.create_index("ix_messages_outbox_id", ["outbox_id"], unique=False)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claimed_until", UTC_TIME, nullable=True))
    with op.batch_alter_table("declarations") as batch:
        batch.add_column(sa.Column("ward_code", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("month", sa.String(length=7), nullable=True))
        batch.add_column(sa.Column("return_mode", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("needs", sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("declarations") as batch:
        for column in ("needs", "return_mode", "month", "ward_code"):
            batch.drop_column(column)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_outbox_id")
        batch.drop_index("ix_messages_case_id")
        batch.drop_constraint(op.f("fk_messages_author_id_caseworkers"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_messages_media_id_media"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_messages_case_id_handoff_requests"), type_="foreignkey")
        for column in ("delivery", "outbox_id", "author_id", "media_id", "kind", "case_id"):
            batch.drop_column(column)
    op.drop_index("ix_media_contact_id", table_name="media")
    op.drop_table("media")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_is_append_only()")
    op.drop_index("ix_audit_log_case_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("canned_replies")
    op.drop_index("ix_case_notes_case_id", table_name="case_notes")
    op.drop_table("case_notes")
    op.execute("UPDATE handoff_requests SET status = 'open' WHERE status <> 'erased'")
    with op.batch_alter_table("handoff_requests") as batch:
        batch.alter_column("status", server_default="open")
        batch.drop_index("ix_handoff_requests_team_status")
        batch.drop_index("ix_handoff_requests_assignee_id")
        batch.drop_constraint(
            op.f("fk_handoff_requests_assignee_id_caseworkers"), type_="foreignkey"
        )
        for column in (
            "updated_at", "closed_at", "first_response_at", "claimed_at", "outcome",
            "verify_code", "assignee_id", "team", "priority",
        ):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("caseworkers")
    op.drop_table("team_communes")
    op.drop_table("teams")
