"""invitations: the invitee's name, when the live link was sent, revocation

Revision ID: 7c41d2a9e5f0
Revises: 5e3a1c7d9b20
Create Date: 2026-12-02 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41d2a9e5f0'
down_revision = '5e3a1c7d9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    # Existing invitations were sent when they were created.
    op.execute("UPDATE invitation SET sent_at = created_at")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('sent_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('name', existing_type=sa.String(length=120), server_default=None)


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('name')
