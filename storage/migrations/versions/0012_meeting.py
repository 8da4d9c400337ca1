"""meeting: conclusions with their history, finished summary versions, cards kept in place

The negotiation meeting's joint discussion (storage/meeting.py): the conclusions the HYTE team
writes under the four legal topics, every change to them, the numbered finished versions of the
summary, and the cards the bot updates in place in General.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meeting_conclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_by_aad", sa.String(length=64), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_by_aad", sa.String(length=64), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("deleted_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_conclusions")),
    )
    op.create_index("ix_meeting_conclusions_round", "meeting_conclusions", ["tenant_id", "round_id"])
    op.create_table(
        "meeting_conclusion_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("conclusion_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("by_aad", sa.String(length=64), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("old_text", sa.Text(), nullable=True),
        sa.Column("old_topic", sa.String(length=16), nullable=True),
        sa.Column("old_evidence", JSON, nullable=True),
        sa.ForeignKeyConstraint(["conclusion_id"], ["meeting_conclusions.id"],
                                name=op.f("fk_meeting_conclusion_changes_conclusion_id_meeting_conclusions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_conclusion_changes")),
    )
    op.create_index(op.f("ix_meeting_conclusion_changes_conclusion_id"), "meeting_conclusion_changes",
                    ["conclusion_id"])
    op.create_table(
        "meeting_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("finished_by", sa.String(length=200), nullable=False),
        sa.Column("finished_by_aad", sa.String(length=64), nullable=True),
        sa.Column("finished_at", WHEN, nullable=False),
        sa.Column("conclusions", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_summaries")),
        sa.UniqueConstraint("tenant_id", "round_id", "number", name=op.f("uq_meeting_summaries_tenant_id")),
    )
    op.create_table(
        "meeting_posts",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("channel_id", sa.String(length=256), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "round_id", "kind", name=op.f("pk_meeting_posts")),
    )


def downgrade() -> None:
    op.drop_table("meeting_posts")
    op.drop_table("meeting_summaries")
    op.drop_index(op.f("ix_meeting_conclusion_changes_conclusion_id"), table_name="meeting_conclusion_changes")
    op.drop_table("meeting_conclusion_changes")
    op.drop_index("ix_meeting_conclusions_round", table_name="meeting_conclusions")
    op.drop_table("meeting_conclusions")
