"""each site's chart of each measure summed up (latest signal, value, centre), kept with its data;
indexes for activity over a span (cycle revisions, measure values)

Revision ID: c5a1f0e2d7b3
Revises: b4e7d1c9a2f6
Create Date: 2026-12-02 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5a1f0e2d7b3'
down_revision = 'b4e7d1c9a2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('measure_summary',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('view', sa.String(length=10), nullable=False),
    sa.Column('definition', sa.String(length=200), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('first_period', sa.Date(), nullable=True),
    sa.Column('latest_period', sa.Date(), nullable=True),
    sa.Column('latest_value', sa.Double(), nullable=True),
    sa.Column('centre', sa.Double(), nullable=True),
    sa.Column('variation_icon', sa.String(length=30), nullable=True),
    sa.Column('assurance_icon', sa.String(length=30), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('recent', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_measure_summary_measure_id_measure')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_measure_summary_site_id_site')),
    sa.PrimaryKeyConstraint('measure_id', 'site_id', 'view', name=op.f('pk_measure_summary'))
    )
    # Activity and contributions over a span (dashboards, the action-period report).
    with op.batch_alter_table('cycle_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_revision_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_value_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_value_updated_at'))
    with op.batch_alter_table('cycle_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_revision_created_at'))
    op.drop_table('measure_summary')
