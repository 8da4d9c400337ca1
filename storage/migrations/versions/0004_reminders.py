"""timetable moves, timetable changes and reminder jobs

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminder_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.String(length=64), nullable=False),
    sa.Column('reminder', sa.String(length=64), nullable=False),
    sa.Column('audience', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=400), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('conversation_id', sa.String(length=512), nullable=True),
    sa.Column('activity_id', sa.String(length=256), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_jobs')),
    sa.UniqueConstraint('tenant_id', 'round_id', 'reminder', 'target', name=op.f('uq_reminder_jobs_tenant_id'))
    )
    with op.batch_alter_table('reminder_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_jobs_state_due', ['state', 'due_at'], unique=False)

    op.create_table('timetable_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('moves', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('by_aad', sa.String(length=64), nullable=True),
    sa.Column('by_name', sa.String(length=200), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetable_changes')),
    sa.UniqueConstraint('tenant_id', 'round_id', 'revision', name=op.f('uq_timetable_changes_tenant_id'))
    )
    op.create_table('timetable_moves',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.String(length=64), nullable=False),
    sa.Column('phase', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('moved_by_aad', sa.String(length=64), nullable=True),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'round_id', 'phase', name=op.f('pk_timetable_moves'))
    )


def downgrade() -> None:
    op.drop_table('timetable_moves')
    op.drop_table('timetable_changes')
    with op.batch_alter_table('reminder_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_jobs_state_due')

    op.drop_table('reminder_jobs')
