"""an index of the answered sustain check-ins by answer and cycle (an idea's sites still
sustaining it, from the check-ins answered yes)

Revision ID: c2e6a9d3f5b7
Revises: b8d4f2a6c1e3
Create Date: 2026-12-03 18:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c2e6a9d3f5b7'
down_revision = 'b8d4f2a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sustain_check', schema=None) as batch_op:
        batch_op.create_index('ix_sustain_check_answer_cycle', ['answer', 'cycle_id'],
                              unique=False, sqlite_where=sa.text('answer IS NOT NULL'),
                              postgresql_where=sa.text('answer IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('sustain_check', schema=None) as batch_op:
        batch_op.drop_index('ix_sustain_check_answer_cycle')
