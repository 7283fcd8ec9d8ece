"""the indexes of measures by their bundle and by the measure they balance hold only the
measures that have one (SQLite judged a lookup by a bound id from statistics that counted
every other measure under one key, and scanned the table instead)

Revision ID: a0c2e4f6b8d1
Revises: f6c8a0b2d4e7
Create Date: 2026-12-06 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a0c2e4f6b8d1'
down_revision = 'f6c8a0b2d4e7'
branch_labels = None
depends_on = None

COLUMNS = ('composite_id', 'balances_id')


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f'ix_measure_{column}')
            where = sa.text(f'{column} IS NOT NULL')
            batch_op.create_index(f'ix_measure_{column}', [column], unique=False,
                                  sqlite_where=where, postgresql_where=where)
    op.execute('ANALYZE measure')  # the new indexes' statistics, for SQLite's planner


def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f'ix_measure_{column}')
            batch_op.create_index(f'ix_measure_{column}', [column], unique=False)
