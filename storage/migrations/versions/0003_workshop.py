"""workshop: workshops, their groups and question posts, notes with their history, reactions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workshop_reactions',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('channel_id', sa.String(length=256), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('reactor_id', sa.String(length=128), nullable=False),
    sa.Column('reaction', sa.String(length=64), nullable=False),
    sa.Column('reactor_aad', sa.String(length=64), nullable=True),
    sa.Column('is_hyte', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'channel_id', 'message_id', 'reactor_id', 'reaction', name=op.f('pk_workshop_reactions'))
    )
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=256), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_by_aad', sa.String(length=64), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_by_aad', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops')),
    sa.UniqueConstraint('tenant_id', 'round_id', name=op.f('uq_workshops_tenant_id'))
    )
    op.create_table('workshop_groups',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.String(length=256), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_groups_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'channel_id', name=op.f('pk_workshop_groups'))
    )
    op.create_table('workshop_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.String(length=64), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.String(length=256), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('thread_root_id', sa.String(length=128), nullable=True),
    sa.Column('question_id', sa.String(length=64), nullable=True),
    sa.Column('assignment', sa.String(length=16), nullable=False),
    sa.Column('author_aad', sa.String(length=64), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_notes_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_notes')),
    sa.UniqueConstraint('tenant_id', 'channel_id', 'message_id', name=op.f('uq_workshop_notes_tenant_id'))
    )
    with op.batch_alter_table('workshop_notes', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_notes_workshop', ['workshop_id', 'created_at'], unique=False)

    op.create_table('workshop_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.String(length=256), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=True),
    sa.Column('conversation_id', sa.String(length=512), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_posts_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_posts')),
    sa.UniqueConstraint('workshop_id', 'channel_id', 'question_id', name=op.f('uq_workshop_posts_workshop_id'))
    )
    with op.batch_alter_table('workshop_posts', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_posts_message', ['tenant_id', 'channel_id', 'message_id'], unique=False)

    op.create_table('workshop_note_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['workshop_notes.id'], name=op.f('fk_workshop_note_versions_note_id_workshop_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_note_versions')),
    sa.UniqueConstraint('note_id', 'version', name=op.f('uq_workshop_note_versions_note_id'))
    )


def downgrade() -> None:
    op.drop_table('workshop_note_versions')
    with op.batch_alter_table('workshop_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_workshop_posts_message')

    op.drop_table('workshop_posts')
    with op.batch_alter_table('workshop_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_workshop_notes_workshop')

    op.drop_table('workshop_notes')
    op.drop_table('workshop_groups')
    op.drop_table('workshops')
    op.drop_table('workshop_reactions')
