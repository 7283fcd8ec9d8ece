"""each site's standing with each idea (IdeaSiteStatus), filled from the cycles

Revision ID: f4b2c8d1e6a7
Revises: d8f2a6b1c4e9
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b2c8d1e6a7'
down_revision = 'd8f2a6b1c4e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idea_site_status',
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('shared_status', sa.String(length=16), nullable=True),
        sa.Column('any_status', sa.String(length=16), nullable=False),
        sa.Column('shared_comments', sa.Integer(), nullable=False),
        sa.Column('any_comments', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['change_idea.id'],
                                name=op.f('fk_idea_site_status_idea_id_change_idea')),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'],
                                name=op.f('fk_idea_site_status_site_id_site')),
        sa.PrimaryKeyConstraint('idea_id', 'site_id', name=op.f('pk_idea_site_status')),
    )
    with op.batch_alter_table('idea_site_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_site_status_site_id'), ['site_id'],
                              unique=False)

    # Each pair's standing as tracker/ideas/statuses.py computes it (as of this revision): the
    # latest decision (a decided cycle first, then the newest), or "testing", over the shared
    # cycles and over all live cycles, and the live comments on them.
    cycle = sa.table('cycle', sa.column('id', sa.Integer), sa.column('idea_id', sa.Integer),
                     sa.column('site_id', sa.Integer), sa.column('decision', sa.String),
                     sa.column('visibility', sa.String), sa.column('created_at', sa.DateTime),
                     sa.column('deleted_at', sa.DateTime))
    comment = sa.table('comment', sa.column('cycle_id', sa.Integer),
                       sa.column('deleted_at', sa.DateTime))
    status_table = sa.table('idea_site_status', *(sa.column(n) for n in (
        'idea_id', 'site_id', 'shared_status', 'any_status', 'shared_comments', 'any_comments')))
    shared = cycle.c.visibility == 'collaborative'
    latest = (cycle.c.decision.is_(None), cycle.c.created_at.desc(), cycle.c.id.desc())
    comments = (sa.select(sa.func.count()).where(comment.c.cycle_id == cycle.c.id,
                                                 comment.c.deleted_at.is_(None))
                .scalar_subquery())
    ranked = sa.select(
        cycle.c.idea_id, cycle.c.site_id, cycle.c.decision, sa.case((shared, 1), else_=0)
        .label('shared'), comments.label('comments'),
        sa.func.row_number().over(partition_by=(cycle.c.idea_id, cycle.c.site_id),
                                  order_by=latest).label('rn_any'),
        sa.func.row_number().over(partition_by=(cycle.c.idea_id, cycle.c.site_id, shared),
                                  order_by=latest).label('rn_shared'),
    ).where(cycle.c.idea_id.is_not(None), cycle.c.deleted_at.is_(None)).subquery()
    status = sa.func.coalesce(ranked.c.decision, 'testing')
    is_shared = ranked.c.shared == 1
    op.execute(status_table.insert().from_select(
        ['idea_id', 'site_id', 'shared_status', 'any_status', 'shared_comments',
         'any_comments'],
        sa.select(ranked.c.idea_id, ranked.c.site_id,
                  sa.func.max(sa.case((is_shared & (ranked.c.rn_shared == 1), status))),
                  sa.func.max(sa.case((ranked.c.rn_any == 1, status))),
                  sa.func.sum(sa.case((is_shared, ranked.c.comments), else_=0)),
                  sa.func.sum(ranked.c.comments))
        .group_by(ranked.c.idea_id, ranked.c.site_id)))


def downgrade():
    with op.batch_alter_table('idea_site_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_site_status_site_id'))
    op.drop_table('idea_site_status')
