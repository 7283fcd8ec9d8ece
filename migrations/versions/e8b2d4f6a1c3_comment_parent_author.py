"""each reply keeps the author of the comment it answers, indexed with its time (someone's
answers, newest first, from one index)

Revision ID: e8b2d4f6a1c3
Revises: d3f7a1c9e2b4
Create Date: 2026-12-04 17:55:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8b2d4f6a1c3'
down_revision = 'd3f7a1c9e2b4'
branch_labels = None
depends_on = None


def upgrade():
    # A plain column added in place (no copy of the table): a copy of the author's id that
    # the parent's own reference keeps true.
    op.add_column('comment', sa.Column('parent_author_id', sa.Integer(), nullable=True))
    op.execute("UPDATE comment SET parent_author_id = (SELECT parent.author_id FROM comment "
               "AS parent WHERE parent.id = comment.parent_id) WHERE parent_id IS NOT NULL")
    op.create_index('ix_comment_parent_author_created', 'comment',
                    ['parent_author_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_comment_parent_author_created', table_name='comment')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('parent_author_id')
