"""processed activity ids

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('processed_activities',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('activity_id', sa.String(length=256), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'activity_id', name=op.f('pk_processed_activities'))
    )
    with op.batch_alter_table('processed_activities', schema=None) as batch_op:
        batch_op.create_index('ix_processed_activities_received_at', ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('processed_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_processed_activities_received_at')
    op.drop_table('processed_activities')
