"""archive collaboratives, networks and sites

Revision ID: 5e3a1c7d9b20
Revises: 1bf7f8891d2e
Create Date: 2026-12-02 11:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3a1c7d9b20'
down_revision = '1bf7f8891d2e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('collaborative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
    with op.batch_alter_table('collaborative', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
