"""a version per site, moved only by the writes its own pages show, and a shared one moved by
every other write: a site's dashboard sections stay kept while other sites write

Revision ID: e5b7d9f1a3c6
Revises: d3f5a7c9e1b2
Create Date: 2026-12-06 14:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b7d9f1a3c6'
down_revision = 'd3f5a7c9e1b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('data_version') as batch_op:
        batch_op.add_column(sa.Column('shared', sa.BigInteger(), server_default='0',
                                      nullable=False))
    # A random start, as every move sets: no kept page of an earlier state can match it.
    op.execute(f"UPDATE data_version SET shared = {secrets.randbits(62)}")
    op.create_table(
        'site_version',
        sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site_version')),
    )


def downgrade():
    op.drop_table('site_version')
    with op.batch_alter_table('data_version') as batch_op:
        batch_op.drop_column('shared')
