"""Reminder jobs keep why they did not reach their target as a typed reason

The HYTE team's timetable card showed the connector's own words ("gave up after 6 attempts: 502
…", "error: ValueError"). A failed or unreachable job now records a reason (hyte.reminders.
FailureReason) that the card shows in Finnish; the detail stays in `last_error` and the log.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_jobs") as batch:
        batch.add_column(sa.Column("reason", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminder_jobs") as batch:
        batch.drop_column("reason")
