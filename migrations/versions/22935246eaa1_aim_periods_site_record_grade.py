"""aim measure and target, set action periods, site sign-up record, team grade

Revision ID: 22935246eaa1
Revises: 7c41d2a9e5f0
Create Date: 2026-12-02 15:32:17

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '22935246eaa1'
down_revision = '7c41d2a9e5f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaborative_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['collaborative_id'], ['collaborative.id'], name=op.f('fk_action_period_collaborative_id_collaborative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_period'))
    )
    with op.batch_alter_table('action_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_period_collaborative_id'), ['collaborative_id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        # Adding a foreign key in batch mode copies the table, which SQLite refuses while other
        # tables' rows point at it; ADD COLUMN ... REFERENCES needs no copy.
        op.execute('ALTER TABLE collaborative ADD COLUMN aim_measure_id INTEGER '
                   'CONSTRAINT fk_collaborative_aim_measure_id REFERENCES measure (id)')
    else:
        op.add_column('collaborative', sa.Column('aim_measure_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_collaborative_aim_measure_id', 'collaborative', 'measure',
                              ['aim_measure_id'], ['id'])
    with op.batch_alter_table('collaborative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aim_target', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('aim_target_on', sa.Date(), nullable=True))

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('executive_sponsor', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('clinical_lead', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('data_lead', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('wards', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.Enum('junior', 'middle', 'senior', 'not_stated', name='grade', native_enum=False), server_default='not_stated', nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('grade')

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('wards')
        batch_op.drop_column('data_lead')
        batch_op.drop_column('clinical_lead')
        batch_op.drop_column('executive_sponsor')
        batch_op.drop_column('joined_on')

    if op.get_bind().dialect.name != 'sqlite':  # SQLite drops it with its column
        op.drop_constraint('fk_collaborative_aim_measure_id', 'collaborative',
                           type_='foreignkey')
    with op.batch_alter_table('collaborative', schema=None) as batch_op:
        batch_op.drop_column('aim_target_on')
        batch_op.drop_column('aim_target')
        batch_op.drop_column('aim_measure_id')

    with op.batch_alter_table('action_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_period_collaborative_id'))

    op.drop_table('action_period')
