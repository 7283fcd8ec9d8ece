"""each stored chart summary keeps the latest period entered at all, a value or not (the
faculty's reasons for support read it instead of a seek per site)

Revision ID: c3f9b5e7a2d4
Revises: b8e4a2d6f0c1
Create Date: 2026-12-05 00:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3f9b5e7a2d4'
down_revision = 'b8e4a2d6f0c1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure_summary') as batch:
        batch.add_column(sa.Column('last_entered', sa.Date(), nullable=True))
    summary = sa.table('measure_summary', sa.column('measure_id', sa.Integer),
                       sa.column('site_id', sa.Integer), sa.column('last_entered', sa.Date))
    value = sa.table('measure_value', sa.column('measure_id', sa.Integer),
                     sa.column('site_id', sa.Integer), sa.column('period_start', sa.Date))
    op.get_bind().execute(sa.update(summary).values(last_entered=(
        sa.select(sa.func.max(value.c.period_start))
        .where(value.c.measure_id == summary.c.measure_id,
               value.c.site_id == summary.c.site_id)
        .scalar_subquery())))


def downgrade():
    with op.batch_alter_table('measure_summary') as batch:
        batch.drop_column('last_entered')
