"""indexes of cycles by site and last change, and by site and test start (whether a site
has changed or begun a cycle since a date: one seek per site)

Revision ID: d3f7a1c9e2b4
Revises: c2e6a9d3f5b7
Create Date: 2026-12-04 17:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3f7a1c9e2b4'
down_revision = 'c2e6a9d3f5b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.create_index('ix_cycle_site_updated', ['site_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_cycle_site_started', ['site_id', 'do_started_on'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index('ix_cycle_site_started')
        batch_op.drop_index('ix_cycle_site_updated')
