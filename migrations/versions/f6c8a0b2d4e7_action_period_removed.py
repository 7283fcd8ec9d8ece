"""an action period can be removed (and restored): when it was, or none while in use

Revision ID: f6c8a0b2d4e7
Revises: e5b7d9f1a3c6
Create Date: 2026-12-06 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6c8a0b2d4e7'
down_revision = 'e5b7d9f1a3c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_period') as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('action_period') as batch_op:
        batch_op.drop_column('deleted_at')
