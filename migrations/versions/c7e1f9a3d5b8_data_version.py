"""the data's version: one row that every committed write changes, under which results read
from much of the data (the faculty's dashboards and reports) are kept by each app server

Revision ID: c7e1f9a3d5b8
Revises: b5d9e3a7c2f1
Create Date: 2026-12-06 00:40:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e1f9a3d5b8'
down_revision = 'b5d9e3a7c2f1'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    # A random start, as each write sets: no two databases share a number.
    op.bulk_insert(table, [{'id': 1, 'n': secrets.randbits(62)}])


def downgrade():
    op.drop_table('data_version')
