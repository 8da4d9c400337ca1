"""The language each person chose with kieli / språk

A bilingual county's people read the bot in Finnish or Swedish: their Teams client's locale
decides unless they chose with `kieli` / `språk`; the choice is remembered here per person.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_languages",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "aad_object_id", name=op.f("pk_person_languages")),
    )


def downgrade() -> None:
    op.drop_table("person_languages")
