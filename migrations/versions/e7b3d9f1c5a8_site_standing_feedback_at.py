"""each site's standing keeps the latest feedback given on its cycles (the review queue's sites
with none this action period read it)

Revision ID: e7b3d9f1c5a8
Revises: d5a1c7e9b3f6
Create Date: 2026-12-05 00:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7b3d9f1c5a8'
down_revision = 'd5a1c7e9b3f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site_standing') as batch:
        batch.add_column(sa.Column('feedback_at', sa.DateTime(), nullable=True))
    # As tracker/reports/standing.py computes it at this revision: the latest feedback not
    # removed on any of the site's cycles, removed cycles too.
    standing = sa.table('site_standing', sa.column('site_id', sa.Integer),
                        sa.column('feedback_at', sa.DateTime))
    feedback = sa.table('feedback', sa.column('cycle_id', sa.Integer),
                        sa.column('created_at', sa.DateTime),
                        sa.column('deleted_at', sa.DateTime))
    cycle = sa.table('cycle', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer))
    op.get_bind().execute(sa.update(standing).values(feedback_at=(
        sa.select(sa.func.max(feedback.c.created_at))
        .select_from(feedback.join(cycle, cycle.c.id == feedback.c.cycle_id))
        .where(cycle.c.site_id == standing.c.site_id, feedback.c.deleted_at.is_(None))
        .scalar_subquery())))


def downgrade():
    with op.batch_alter_table('site_standing') as batch:
        batch.drop_column('feedback_at')
