"""an index of feedback by author and cycle (the review queue's "changed since your
feedback", read from the index alone)

Revision ID: b8d4f2a6c1e3
Revises: a7c3e9f1b5d4
Create Date: 2026-12-03 18:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c1e3'
down_revision = 'a7c3e9f1b5d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_author_cycle',
                              ['author_id', 'cycle_id', 'created_at', 'deleted_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_author_cycle')
