"""Skipped reminder jobs keep why as a typed reason too

A skipped job's why was a free string in `last_error` ("expired: its phase has passed",
"not_in_plan", "disabled", "submitted", "not_configured") that code parsed back. It is now a
hyte.jobs.SkipReason in `reason`, beside the failure reasons; the rows skipped before are given
theirs from what their `last_error` says.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JOBS = sa.table("reminder_jobs", sa.column("state", sa.String), sa.column("reason", sa.String),
                sa.column("last_error", sa.String))
WORDS = {
    "expired": "expired: its phase has passed", "not_in_plan": "not_in_plan", "disabled": "disabled",
    "submitted": "submitted", "not_configured": "not_configured",
}


def upgrade() -> None:
    for reason, words in WORDS.items():
        op.execute(
            JOBS.update()
            .where(JOBS.c.state == "skipped", JOBS.c.reason.is_(None), JOBS.c.last_error == words)
            .values(reason=reason, last_error=None)
        )


def downgrade() -> None:
    for reason, words in WORDS.items():
        op.execute(
            JOBS.update().where(JOBS.c.state == "skipped", JOBS.c.reason == reason).values(reason=None, last_error=words)
        )
