"""comments and feedback keep the site of the cycle they are on, indexed with their time (what
a page of sites received in a span, from one index); feedback's author index holds its time

Revision ID: f2c8a4e6b1d9
Revises: e7b3d9f1c5a8
Create Date: 2026-12-05 03:55:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2c8a4e6b1d9'
down_revision = 'e7b3d9f1c5a8'
branch_labels = None
depends_on = None


def upgrade():
    # Plain columns added in place (no copy of the tables): copies of the cycle's site, which
    # the cycle's own reference keeps true (a cycle never changes site).
    for table in ('comment', 'feedback'):
        op.add_column(table, sa.Column('site_id', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET site_id = (SELECT cycle.site_id FROM cycle "
                   f"WHERE cycle.id = {table}.cycle_id) WHERE cycle_id IS NOT NULL")
        op.create_index(f'ix_{table}_site_created', table, ['site_id', 'created_at'],
                        unique=False)
    # What some people gave in a span: a few faculty give most feedback, so by author alone
    # SQLite expected thousands of rows per person and built a temporary index instead.
    op.create_index('ix_feedback_author_created', 'feedback', ['author_id', 'created_at'],
                    unique=False)
    op.drop_index('ix_feedback_author_id', table_name='feedback')


def downgrade():
    op.create_index('ix_feedback_author_id', 'feedback', ['author_id'], unique=False)
    op.drop_index('ix_feedback_author_created', table_name='feedback')
    for table in ('feedback', 'comment'):
        op.drop_index(f'ix_{table}_site_created', table_name=table)
        # In place (SQLite 3.35 and later drop a plain column): a batch copy of the table
        # failed on a foreign key with the data of a live database.
        op.drop_column(table, 'site_id')
