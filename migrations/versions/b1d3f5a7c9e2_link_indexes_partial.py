"""the indexes of comments by idea, of feedback requests by the site asked and of notifications
by their email claim hold only the rows that have one (as the measures' links since
a0c2e4f6b8d1: SQLite judged a lookup by a bound value from statistics that counted the NULLs
as one key of nearly every row, and scanned the table instead)

Revision ID: b1d3f5a7c9e2
Revises: a0c2e4f6b8d1
Create Date: 2026-12-06 18:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1d3f5a7c9e2'
down_revision = 'a0c2e4f6b8d1'
branch_labels = None
depends_on = None

INDEXED = (('comment', 'idea_id'), ('feedback_request', 'to_site_id'),
           ('notification', 'email_claim'))


def upgrade():
    for table, column in INDEXED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_{column}')
            where = sa.text(f'{column} IS NOT NULL')
            batch_op.create_index(f'ix_{table}_{column}', [column], unique=False,
                                  sqlite_where=where, postgresql_where=where)
        op.execute(f'ANALYZE {table}')  # the new index's statistics, for SQLite's planner


def downgrade():
    for table, column in INDEXED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_{column}')
            batch_op.create_index(f'ix_{table}_{column}', [column], unique=False)
