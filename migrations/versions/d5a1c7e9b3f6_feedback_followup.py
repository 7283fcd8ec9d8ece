"""for each person and cycle they gave feedback on, when they last did and when the cycle last
changed (FeedbackFollowup), filled from the feedback and cycles

Revision ID: d5a1c7e9b3f6
Revises: c3f9b5e7a2d4
Create Date: 2026-12-05 00:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5a1c7e9b3f6'
down_revision = 'c3f9b5e7a2d4'
branch_labels = None
depends_on = None


def upgrade():
    followup = op.create_table(
        'feedback_followup',
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('feedback_at', sa.DateTime(), nullable=False),
        sa.Column('cycle_changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_feedback_followup_author_id_user')),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'],
                                name=op.f('fk_feedback_followup_cycle_id_cycle')),
        sa.PrimaryKeyConstraint('author_id', 'cycle_id', name=op.f('pk_feedback_followup')),
    )
    op.create_index('ix_feedback_followup_changed', 'feedback_followup',
                    ['author_id', 'changed', 'cycle_changed_at'], unique=False)
    op.create_index('ix_feedback_followup_cycle_id', 'feedback_followup', ['cycle_id'],
                    unique=False)
    # As tracker/feedback/followup.py computes it at this revision: each author's latest
    # feedback not removed on each cycle, and the cycle's latest change.
    feedback = sa.table('feedback', sa.column('author_id', sa.Integer),
                        sa.column('cycle_id', sa.Integer), sa.column('created_at', sa.DateTime),
                        sa.column('deleted_at', sa.DateTime))
    cycle = sa.table('cycle', sa.column('id', sa.Integer), sa.column('updated_at', sa.DateTime))
    latest = sa.func.max(feedback.c.created_at)
    op.get_bind().execute(sa.insert(followup).from_select(
        ['author_id', 'cycle_id', 'feedback_at', 'cycle_changed_at', 'changed'],
        sa.select(feedback.c.author_id, feedback.c.cycle_id, latest, cycle.c.updated_at,
                  cycle.c.updated_at > latest)
        .select_from(feedback.join(cycle, cycle.c.id == feedback.c.cycle_id))
        .where(feedback.c.deleted_at.is_(None))
        .group_by(feedback.c.author_id, feedback.c.cycle_id, cycle.c.updated_at)))


def downgrade():
    op.drop_index('ix_feedback_followup_cycle_id', table_name='feedback_followup')
    op.drop_index('ix_feedback_followup_changed', table_name='feedback_followup')
    op.drop_table('feedback_followup')
