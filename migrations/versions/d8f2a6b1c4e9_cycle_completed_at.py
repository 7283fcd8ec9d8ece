"""when each cycle was first completed (Cycle.completed_at), filled from its stage revisions

Revision ID: d8f2a6b1c4e9
Revises: a18954048fd2
Create Date: 2026-12-02 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8f2a6b1c4e9'
down_revision = 'a18954048fd2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cycle', sa.Column('completed_at', sa.DateTime(), nullable=True))
    # The first revision that recorded a move to Complete, as the action-period report read it
    # until now. Written with SQLAlchemy's JSON path so it is right on SQLite and PostgreSQL.
    cycle = sa.table('cycle', sa.column('id', sa.Integer), sa.column('completed_at', sa.DateTime))
    revision_ = sa.table('cycle_revision', sa.column('cycle_id', sa.Integer),
                         sa.column('action', sa.String), sa.column('created_at', sa.DateTime),
                         sa.column('snapshot', sa.JSON))
    completing = (revision_.c.action == 'stage',
                  revision_.c.snapshot['stage'].as_string() == 'complete')
    first = (sa.select(sa.func.min(revision_.c.created_at))
             .where(revision_.c.cycle_id == cycle.c.id, *completing).scalar_subquery())
    op.execute(cycle.update().values(completed_at=first).where(
        cycle.c.id.in_(sa.select(revision_.c.cycle_id).where(*completing))))


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
