"""The HYTE team's curation of the free-text themes

One row per edit (merge, rename, hide, the representative quote) of a question's themes, with who
made it and when; applied in id order (hyte/curation.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "theme_curations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("round_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("theme_key", sa.String(length=200), nullable=False),
        sa.Column("target_key", sa.String(length=200), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("by_aad", sa.String(length=64), nullable=True),
        sa.Column("by_name", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_curations")),
    )
    op.create_index("ix_theme_curations_round", "theme_curations", ["tenant_id", "round_id"])


def downgrade() -> None:
    op.drop_index("ix_theme_curations_round", table_name="theme_curations")
    op.drop_table("theme_curations")
