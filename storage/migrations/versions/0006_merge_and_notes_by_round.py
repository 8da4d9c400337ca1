"""Merge the feature branches; index workshop notes by round

Reading one round's notes filtered on tenant and round but could only use an index on the tenant,
so it walked the tenant's whole history and sorted it (bench/results.py: 42.6 ms in a store of
50,000 notes against 10.6 ms alone).

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-28
"""
from alembic import op

revision = "0006"
down_revision = ("0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_workshop_notes_round", "workshop_notes", ["tenant_id", "round_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_workshop_notes_round", table_name="workshop_notes")
