"""the open feedback requests each site's standing counts by whom they ask (any faculty member,
or each one named), and an index of the open requests in the order asked (in place of one on
when each was answered)

Revision ID: a6d2f8c4e1b3
Revises: f1a7c3e5b9d2
Create Date: 2026-12-04 23:55:00.000000

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a6d2f8c4e1b3'
down_revision = 'f1a7c3e5b9d2'
branch_labels = None
depends_on = None

OPEN = "answered_at IS NULL AND withdrawn_at IS NULL"


def upgrade():
    with op.batch_alter_table('site_standing') as batch:
        batch.add_column(sa.Column('requests_any', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('requests_named', sa.JSON(), nullable=True))
    bind = op.get_bind()
    standing = sa.table('site_standing', sa.column('site_id', sa.Integer),
                        sa.column('requests_any', sa.Integer),
                        sa.column('requests_named', sa.JSON))
    counted = _counted(bind)
    for site_id in bind.execute(sa.select(standing.c.site_id)).scalars().all():
        to_any, named = counted.get(site_id, (0, {}))
        bind.execute(sa.update(standing).where(standing.c.site_id == site_id)
                     .values(requests_any=to_any, requests_named=named))
    with op.batch_alter_table('site_standing') as batch:
        batch.alter_column('requests_any', server_default=None)
        batch.alter_column('requests_named', existing_type=sa.JSON(), nullable=False)
    op.create_index('ix_feedback_request_open_created', 'feedback_request',
                    ['created_at', 'id'], unique=False, sqlite_where=sa.text(OPEN),
                    postgresql_where=sa.text(OPEN))
    op.drop_index('ix_feedback_request_answered_at', table_name='feedback_request')


def downgrade():
    op.create_index('ix_feedback_request_answered_at', 'feedback_request', ['answered_at'],
                    unique=False)
    op.drop_index('ix_feedback_request_open_created', table_name='feedback_request',
                  sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table('site_standing') as batch:
        batch.drop_column('requests_named')
        batch.drop_column('requests_any')


# The open requests on each site's live shared cycles by whom they ask, as
# tracker/reports/standing.py counts them at this revision: {site: (asking any faculty member,
# {faculty member's id: naming them})}; those asking a site count in neither.
_cycle = sa.table('cycle', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer),
                  sa.column('visibility', sa.String), sa.column('deleted_at', sa.DateTime))
_request = sa.table('feedback_request', sa.column('id', sa.Integer),
                    sa.column('cycle_id', sa.Integer), sa.column('faculty_id', sa.Integer),
                    sa.column('to_site_id', sa.Integer), sa.column('answered_at', sa.DateTime),
                    sa.column('withdrawn_at', sa.DateTime))


def _counted(bind) -> dict[int, tuple[int, dict[str, int]]]:
    c, r = _cycle.c, _request.c
    to_any: dict[int, int] = defaultdict(int)
    named: dict[int, dict[str, int]] = defaultdict(dict)
    for site_id, faculty_id, to_site_id, count in bind.execute(
            sa.select(c.site_id, r.faculty_id, r.to_site_id, sa.func.count(r.id))
            .select_from(_request.join(_cycle, c.id == r.cycle_id))
            .where(c.deleted_at.is_(None), c.visibility == 'collaborative',
                   r.answered_at.is_(None), r.withdrawn_at.is_(None))
            .group_by(c.site_id, r.faculty_id, r.to_site_id)):
        if faculty_id is not None:
            named[site_id][str(faculty_id)] = named[site_id].get(str(faculty_id), 0) + count
        elif to_site_id is None:
            to_any[site_id] += count
    return {s: (to_any[s], named[s]) for s in {*to_any, *named}}
