"""per idea and view, what the sites' standings add up to (sites testing, adopting, comments):
the idea library sums a row per idea instead of every site's standing

Revision ID: d3f5a7c9e1b2
Revises: c7e1f9a3d5b8
Create Date: 2026-12-06 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3f5a7c9e1b2'
down_revision = 'c7e1f9a3d5b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idea_total',
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('view', sa.String(length=10), nullable=False),
        sa.Column('sites_tested', sa.Integer(), nullable=False),
        sa.Column('sites_adopted', sa.Integer(), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['change_idea.id'],
                                name=op.f('fk_idea_total_idea_id_change_idea')),
        sa.PrimaryKeyConstraint('idea_id', 'view', name=op.f('pk_idea_total')),
    )
    # From the standings already stored (as tracker/ideas/statuses.py totals them).
    op.execute(
        "INSERT INTO idea_total (idea_id, view, sites_tested, sites_adopted, comments) "
        "SELECT s.idea_id, s.view, count(*), "
        "sum(CASE WHEN s.status = 'adopt' THEN 1 ELSE 0 END), sum(s.comments) "
        "FROM idea_site_status s JOIN site ON site.id = s.site_id "
        "JOIN change_idea i ON i.id = s.idea_id "
        "WHERE site.collaborative_id = i.collaborative_id GROUP BY s.idea_id, s.view")


def downgrade():
    op.drop_table('idea_total')
