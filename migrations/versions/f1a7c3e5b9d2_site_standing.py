"""what each site's live cycles and the feedback asked on them add up to (SiteStanding), filled
from the cycles and requests

Revision ID: f1a7c3e5b9d2
Revises: e8b2d4f6a1c3
Create Date: 2026-12-04 21:20:00.000000

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1a7c3e5b9d2'
down_revision = 'e8b2d4f6a1c3'
branch_labels = None
depends_on = None


def upgrade():
    standing = op.create_table(
        'site_standing',
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('cycle_changed_at', sa.DateTime(), nullable=True),
        sa.Column('test_started_on', sa.Date(), nullable=True),
        sa.Column('open_changes', sa.JSON(), nullable=False),
        sa.Column('requests_open', sa.Integer(), nullable=False),
        sa.Column('request_oldest_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'],
                                name=op.f('fk_site_standing_site_id_site')),
        sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site_standing')),
    )
    op.bulk_insert(standing, _computed(op.get_bind()))


def downgrade():
    op.drop_table('site_standing')


# Every site's standing, as tracker/reports/standing.py computes it at this revision: over its
# live cycles, the latest change and Do start and when each open one last changed (oldest
# first); the requests neither answered nor withdrawn on its live shared cycles.
_site = sa.table('site', sa.column('id', sa.Integer))
_cycle = sa.table('cycle', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer),
                  sa.column('updated_at', sa.DateTime), sa.column('do_started_on', sa.Date),
                  sa.column('stage', sa.String), sa.column('visibility', sa.String),
                  sa.column('deleted_at', sa.DateTime))
_request = sa.table('feedback_request', sa.column('id', sa.Integer),
                    sa.column('cycle_id', sa.Integer), sa.column('created_at', sa.DateTime),
                    sa.column('answered_at', sa.DateTime),
                    sa.column('withdrawn_at', sa.DateTime))


def _computed(bind) -> list[dict]:
    c, r = _cycle.c, _request.c
    live = c.deleted_at.is_(None)
    rows = {site_id: {'site_id': site_id, 'cycle_changed_at': None, 'test_started_on': None,
                      'open_changes': [], 'requests_open': 0, 'request_oldest_at': None}
            for site_id in bind.execute(sa.select(_site.c.id)).scalars()}
    for site_id, changed, started in bind.execute(
            sa.select(c.site_id, sa.func.max(c.updated_at), sa.func.max(c.do_started_on))
            .where(live).group_by(c.site_id)):
        rows[site_id].update(cycle_changed_at=changed, test_started_on=started)
    open_changes = defaultdict(list)
    for site_id, changed in bind.execute(
            sa.select(c.site_id, c.updated_at).where(live, c.stage != 'complete')
            .order_by(c.updated_at, c.id)):
        open_changes[site_id].append(changed.isoformat())
    for site_id, changes in open_changes.items():
        rows[site_id]['open_changes'] = changes
    for site_id, count, oldest in bind.execute(
            sa.select(c.site_id, sa.func.count(r.id), sa.func.min(r.created_at))
            .select_from(_request.join(_cycle, c.id == r.cycle_id))
            .where(live, c.visibility == 'collaborative', r.answered_at.is_(None),
                   r.withdrawn_at.is_(None))
            .group_by(c.site_id)):
        rows[site_id].update(requests_open=count, request_oldest_at=oldest)
    return list(rows.values())
