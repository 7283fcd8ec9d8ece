"""the site each audit event concerns, so the log can be filtered by site

Revision ID: b4e7d1c9a2f6
Revises: 6ac5e799d11d
Create Date: 2026-12-02 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e7d1c9a2f6'
down_revision = '6ac5e799d11d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_event_site_id'), ['site_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_site_id_site'), 'site',
                                    ['site_id'], ['id'])


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_event_site_id_site'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_event_site_id'))
        batch_op.drop_column('site_id')
