"""indexes of measures by their bundle and by the measure they balance (a measure's parts and
balancing measures are looked up by them: a scan of every site measure otherwise)

Revision ID: b5d9e3a7c2f1
Revises: a9d3e5b7c1f4
Create Date: 2026-12-05 23:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d9e3a7c2f1'
down_revision = 'a9d3e5b7c1f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index('ix_measure_composite_id', ['composite_id'], unique=False)
        batch_op.create_index('ix_measure_balances_id', ['balances_id'], unique=False)


def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_balances_id')
        batch_op.drop_index('ix_measure_composite_id')
