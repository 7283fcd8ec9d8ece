"""what each site's cycles of each idea add up to (IdeaSiteStatus), filled from the cycles;
an index of an idea's cycles by site

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
        sa.Column('view', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('cycles', sa.Integer(), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.Column('first_run', sa.Date(), nullable=True),
        sa.Column('first_logged', sa.DateTime(), nullable=False),
        sa.Column('first_test', sa.Date(), nullable=False),
        sa.Column('scale_amount', sa.Integer(), nullable=True),
        sa.Column('scale_unit', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['idea_id'], ['change_idea.id'],
                                name=op.f('fk_idea_site_status_idea_id_change_idea')),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'],
                                name=op.f('fk_idea_site_status_site_id_site')),
        sa.PrimaryKeyConstraint('idea_id', 'site_id', 'view', name=op.f('pk_idea_site_status')),
    )
    with op.batch_alter_table('idea_site_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_site_status_site_id'), ['site_id'],
                              unique=False)
    # An idea's cycles site by site (the idea page, and recomputing a pair), in place of the
    # index on the idea alone, which it begins with.
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_idea_id'))
        batch_op.create_index('ix_cycle_idea_site', ['idea_id', 'site_id', 'created_at'],
                              unique=False)
    columns = ['idea_id', 'site_id', 'view', 'status', 'cycles', 'comments', 'first_run',
               'first_logged', 'first_test', 'scale_amount', 'scale_unit']
    status_table = sa.table('idea_site_status', *(sa.column(n) for n in columns))
    op.execute(status_table.insert().from_select(columns, sa.union_all(
        _view('all'), _view('shared', _cycle.c.visibility == 'collaborative'))))


# What the pairs' cycles add up to, as tracker/ideas/statuses.py computes it at this revision:
# the latest decision (a decided cycle first, then the newest) or "testing", the cycles, their
# live comments, the first test and the largest scale (ranked by unit, then amount).
_cycle = sa.table('cycle', *(sa.column(n) for n in (
    'id', 'idea_id', 'site_id', 'decision', 'visibility', 'created_at', 'deleted_at',
    'do_started_on', 'scale_amount', 'scale_unit')))
_comment = sa.table('comment', sa.column('cycle_id'), sa.column('deleted_at'))


def _view(name, *where):
    c = _cycle.c
    unit = sa.func.lower(c.scale_unit)
    scale_rank = sa.case(
        (unit.like('%patient%'), 1), (unit.like('%shift%'), 2), (unit.like('%day%'), 3),
        (unit.like('%bay%'), 4), (unit.like('%week%'), 5), (unit.like('%all%ward%'), 7),
        (unit.like('%ward%'), 6), (unit.like('%hospital%') | unit.like('%site%'), 8), else_=0)
    pair = (c.idea_id, c.site_id)
    comments = (sa.select(sa.func.count()).where(_comment.c.cycle_id == c.id,
                                                 _comment.c.deleted_at.is_(None))
                .scalar_subquery())
    ranked = sa.select(
        *pair, c.decision, c.do_started_on, c.created_at, c.scale_amount, c.scale_unit,
        comments.label('comments'),
        sa.func.row_number().over(partition_by=pair, order_by=(
            c.decision.is_(None), c.created_at.desc(), c.id.desc())).label('rn_decision'),
        sa.func.row_number().over(partition_by=pair, order_by=(
            scale_rank.desc(), sa.func.coalesce(c.scale_amount, 0).desc(),
            c.created_at.desc(), c.id.desc())).label('rn_scale'),
    ).where(c.idea_id.is_not(None), c.deleted_at.is_(None), *where).subquery()
    latest, largest = ranked.c.rn_decision == 1, ranked.c.rn_scale == 1
    first_run = sa.func.min(ranked.c.do_started_on)
    first_logged = sa.func.min(ranked.c.created_at)
    return sa.select(
        ranked.c.idea_id, ranked.c.site_id, sa.literal(name),
        sa.func.coalesce(sa.func.max(sa.case((latest, ranked.c.decision))), 'testing'),
        sa.func.count(), sa.func.sum(ranked.c.comments), first_run, first_logged,
        sa.func.coalesce(first_run, sa.func.date(first_logged)),
        sa.func.max(sa.case((largest, ranked.c.scale_amount))),
        sa.func.coalesce(sa.func.max(sa.case((largest, ranked.c.scale_unit))), ''),
    ).group_by(ranked.c.idea_id, ranked.c.site_id)


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index('ix_cycle_idea_site')
        batch_op.create_index(batch_op.f('ix_cycle_idea_id'), ['idea_id'], unique=False)
    with op.batch_alter_table('idea_site_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_site_status_site_id'))
    op.drop_table('idea_site_status')
