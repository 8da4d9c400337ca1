"""Queued replies: a turn's reply that could not be sent for want of a token from Entra ID

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queued_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("reply_to_id", sa.String(length=256), nullable=True),
        sa.Column("activity_id", sa.String(length=256), nullable=True),
        sa.Column("activity", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_replies")),
    )
    with op.batch_alter_table("queued_replies") as batch:
        batch.create_index("ix_queued_replies_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("queued_replies") as batch:
        batch.drop_index("ix_queued_replies_expires_at")
    op.drop_table("queued_replies")
