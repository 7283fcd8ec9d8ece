"""each site's standing keeps when its longest-unchanged open cycle last changed, as a time (the
database ranks the sites needing support from it)

Revision ID: b8e4a2d6f0c1
Revises: a6d2f8c4e1b3
Create Date: 2026-12-05 00:10:00.000000

"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8e4a2d6f0c1'
down_revision = 'a6d2f8c4e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site_standing') as batch:
        batch.add_column(sa.Column('open_oldest_at', sa.DateTime(), nullable=True))
    # The first of the open cycles' changes (ISO times, oldest first) each row already holds.
    standing = sa.table('site_standing', sa.column('site_id', sa.Integer),
                        sa.column('open_changes', sa.JSON),
                        sa.column('open_oldest_at', sa.DateTime))
    bind = op.get_bind()
    for site_id, changes in bind.execute(
            sa.select(standing.c.site_id, standing.c.open_changes)).all():
        if changes:
            bind.execute(sa.update(standing).where(standing.c.site_id == site_id)
                         .values(open_oldest_at=datetime.fromisoformat(changes[0])))


def downgrade():
    with op.batch_alter_table('site_standing') as batch:
        batch.drop_column('open_oldest_at')
