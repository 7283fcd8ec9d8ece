"""indexes for the faculty dashboard's activity: measure values by site and time, cycle
revisions by cycle and time (each read from the index alone)

Revision ID: a7c3e9f1b5d4
Revises: f4b2c8d1e6a7
Create Date: 2026-12-03 16:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9f1b5d4'
down_revision = 'f4b2c8d1e6a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.create_index('ix_measure_value_site_id_updated_at', ['site_id', 'updated_at'],
                              unique=False)
    with op.batch_alter_table('cycle_revision', schema=None) as batch_op:
        batch_op.create_index('ix_cycle_revision_cycle_id_created_at',
                              ['cycle_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cycle_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_cycle_revision_cycle_id_created_at')
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_value_site_id_updated_at')
