"""teams and channels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channels',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('channel_id', sa.String(length=256), nullable=False),
    sa.Column('team_id', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'channel_id', name=op.f('pk_channels'))
    )
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channels_team_id'), ['team_id'], unique=False)

    op.create_table('teams',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=True),
    sa.Column('aad_group_id', sa.String(length=64), nullable=True),
    sa.Column('service_url', sa.String(length=512), nullable=False),
    sa.Column('is_board', sa.Boolean(), nullable=False),
    sa.Column('installed_by_aad', sa.String(length=64), nullable=True),
    sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'team_id', name=op.f('pk_teams'))
    )


def downgrade() -> None:
    op.drop_table('teams')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channels_team_id'))

    op.drop_table('channels')
