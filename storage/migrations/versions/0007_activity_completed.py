"""Processed activities record whether their turn finished

A process killed during a turn left the activity's id claimed: Teams' re-send was then taken for a
repeat and never run (tests/scenarios/test_kill.py found notes lost this way). Claims now start
unfinished, are completed after the turn, and unfinished ones are released at start.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_activities") as batch:
        batch.add_column(sa.Column("completed", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("processed_activities") as batch:
        batch.drop_column("completed")
