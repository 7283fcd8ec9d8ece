"""used idempotency keys: offline entries stored exactly once

Revision ID: e3f9a1c7b5d2
Revises: e5a1f0c3d7b2
Create Date: 2026-12-02 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3f9a1c7b5d2'
down_revision = 'e5a1f0c3d7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=36), nullable=False),
    sa.Column('endpoint', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_used_key_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_key')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_used_key_user_id'))
    )
    with op.batch_alter_table('used_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_key_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('used_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_key_created_at'))

    op.drop_table('used_key')
