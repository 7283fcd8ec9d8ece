"""The faculty review queue: what is waiting for feedback, what changed since, who has had none.

Each list is shown a page at a time, in two queries (the page and its count) whatever its
length (the quiet-sites list is two per collaborative, since each has its own action period):
a national collaborative at 1,500 sites had ~800 requests waiting, a page of 1.4 MB.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, joinedload

from ..core.paging import QueryPage
from ..events.periods import ActionPeriod, current_period
from ..extensions import db
from ..models import (
    Collaborative,
    Cycle,
    FeedbackFollowup,
    FeedbackRequest,
    Site,
    SiteStanding,
    User,
    Visibility,
)


@dataclass
class Waiting:
    request: FeedbackRequest
    days: int
    asks_you: bool


@dataclass
class QuietSites:
    collaborative: Collaborative
    period: ActionPeriod
    sites: Pagination  # a page of the sites


WAITING_PER_PAGE = 25
CHANGED_PER_PAGE = 25
QUIET_PER_PAGE = 100


def _scoped(query: Select, collaborative_ids: set[int] | None, sites=None) -> Select:
    """`query` (joined to Site) kept to the collaboratives and, with `sites` (a condition on
    Site, e.g. core.queries.faculty_sites), to those sites."""
    if collaborative_ids is not None:
        query = query.where(Site.collaborative_id.in_(collaborative_ids))
    return query if sites is None else query.where(sites)


@dataclass(frozen=True)
class Asked:
    """The open requests a queue holds: those at `sites` (a condition on Site, e.g.
    core.queries.faculty_sites; None: every site) and, when `named`, those that name the user
    wherever they come from."""

    sites: Any
    named: bool

    def condition(self, user: User):
        """As a condition on the requests (joined to Cycle and Site); None: no condition."""
        if not self.named:
            return self.sites
        return self.sites | (FeedbackRequest.faculty_id == user.id)


def asked_of(user: User, sites, *, narrowed: bool) -> Asked:
    """The queue of requests at `sites`: one that names `user` stays in it wherever it comes
    from (a regional faculty member asked from another network), unless the queue was
    narrowed to one network."""
    return Asked(sites, named=sites is not None and not narrowed)


def _open_requests(collaborative_ids: set[int] | None, sites=None) -> Select:
    """Open requests on live shared cycles (joined to Cycle and Site), in the scope."""
    return _scoped(
        db.select(FeedbackRequest).join(FeedbackRequest.cycle).join(Cycle.site)
        .where(FeedbackRequest.answered_at.is_(None), FeedbackRequest.withdrawn_at.is_(None),
               Cycle.deleted_at.is_(None), Cycle.visibility == Visibility.COLLABORATIVE),
        collaborative_ids, sites)


def _oldest_first(collaborative_ids: set[int] | None, sites=None) -> Select:
    return (
        _open_requests(collaborative_ids, sites)
        # Each row shows its cycle, site and who asked whom: loaded with the row.
        .options(contains_eager(FeedbackRequest.cycle).contains_eager(Cycle.site),
                 joinedload(FeedbackRequest.faculty), joinedload(FeedbackRequest.to_site),
                 joinedload(FeedbackRequest.requested_by))
        .order_by(FeedbackRequest.created_at, FeedbackRequest.id))


def _counts(user: User, collaborative_ids: set[int] | None, asked: Asked) -> Select:
    """How many requests the queue holds and how many of those ask `user` (FeedbackRequest.
    asks), as one row: sums over its sites' stored standing (reports/standing.py), where
    counting the requests themselves joined each open one to its cycle and site (11 ms at
    10x), plus the few that ask one of the user's own sites.

    A site in `asked.sites` adds all its open requests, and those asking any faculty member
    if the user is faculty of its collaborative, and those naming the user; a site outside it
    (a named queue only) adds those naming the user."""
    s = SiteStanding
    named = sa.func.coalesce(s.requests_named[str(user.id)].as_integer(), 0)
    faculty_of = user.faculty_collaborative_ids
    to_any = (s.requests_any if faculty_of is None else
              sa.case((Site.collaborative_id.in_(faculty_of), s.requests_any), else_=0))
    total, asking = s.requests_open, to_any + named
    if asked.named:  # every site of the collaboratives: those outside add only the named
        total = sa.case((asked.sites, total), else_=named)
        asking = sa.case((asked.sites, asking), else_=named)
    query = _scoped(db.select(sa.func.coalesce(sa.func.sum(total), 0).label("total"),
                              sa.func.coalesce(sa.func.sum(asking), 0).label("asking"))
                    .select_from(s).join(Site, Site.id == s.site_id),
                    collaborative_ids, None if asked.named else asked.sites)
    if user.site_ids:  # asking one of the user's sites by name (none, for most faculty)
        to_own = (_open_requests(collaborative_ids, asked.sites)
                  .where(FeedbackRequest.faculty_id.is_(None),
                         FeedbackRequest.to_site_id.in_(user.site_ids))
                  .with_only_columns(sa.func.count()).correlate(None).scalar_subquery())
        query = query.with_only_columns(query.selected_columns.total,
                                        (query.selected_columns.asking + to_own).label("asking"))
    return query


def counts(user: User, collaborative_ids: set[int] | None, asked: Asked) -> tuple[int, int]:
    """(How many requests the queue holds, how many of those ask `user`)."""
    row = db.session.execute(_counts(user, collaborative_ids, asked)).one()
    return row.total, row.asking


def _waiting(user: User, now: datetime, request: FeedbackRequest) -> Waiting:
    return Waiting(request, (now - request.created_at).days,
                   request.is_for(user, request.cycle.site.collaborative_id))


def awaiting(user: User, collaborative_ids: set[int] | None, now: datetime, asked: Asked,
             *, number: int = 1) -> Pagination:
    """A page of the open requests, oldest first, each with the days it has waited (the
    page's `total`: how many there are in all)."""
    page = QueryPage(_oldest_first(collaborative_ids, asked.condition(user)), rows=False,
                     page=number, per_page=WAITING_PER_PAGE,
                     total=counts(user, collaborative_ids, asked)[0])
    page.items = [_waiting(user, now, r) for r in page.items]
    return page


def oldest_waiting(user: User, collaborative_ids: set[int] | None, now: datetime,
                   asked: Asked, *, shown: int) -> tuple[list[Waiting], int, int]:
    """The `shown` oldest open requests, how many are open in all and how many of those ask
    `user`: one query. The counts are two scalar subqueries, each run once: joined to the
    rows instead, they kept SQLite from walking the requests in order and stopping early."""
    found = _counts(user, collaborative_ids, asked).correlate(None)
    total, asking = (found.with_only_columns(column).scalar_subquery()
                     for column in found.selected_columns)
    rows = db.session.execute(_oldest_first(collaborative_ids, asked.condition(user))
                              .add_columns(total.label("total"), asking.label("asking"))
                              .limit(shown)).all()
    total, asking = (rows[0].total, rows[0].asking) if rows else (0, 0)
    return [_waiting(user, now, request) for request, *_ in rows], total, asking


def changed_since_feedback(user: User, collaborative_ids: set[int] | None, sites=None,
                           *, number: int = 1) -> Pagination:
    """A page of the cycles this user gave feedback on that have changed since, the latest
    change first: (cycle, last feedback at). From the stored follow-ups (feedback.followup):
    those marked changed, not every cycle the user ever gave feedback on."""
    f = FeedbackFollowup
    query = _scoped(
        db.select(Cycle, f.feedback_at).join(f, f.cycle_id == Cycle.id).join(Cycle.site)
        .where(f.author_id == user.id, f.changed.is_(True), Cycle.deleted_at.is_(None))
        .options(contains_eager(Cycle.site))
        .order_by(f.cycle_changed_at.desc(), Cycle.id.desc()),
        collaborative_ids, sites)
    page = QueryPage(query, rows=True, page=number, per_page=CHANGED_PER_PAGE, windowed=True)
    page.items = [tuple(row) for row in page.items]
    return page


def quiet_sites(collaborative_ids: set[int] | None, now: datetime, sites=None,
                *, number: int = 1) -> list[QuietSites]:
    """Per collaborative, a page of the sites that have had no feedback this action period."""
    query = db.select(Collaborative).where(Collaborative.parent_id.is_(None))
    if collaborative_ids is not None:
        query = query.where(Collaborative.id.in_(collaborative_ids))
    out = []
    for collaborative in db.session.scalars(query.order_by(Collaborative.name)):
        period = current_period(collaborative, now)
        # Each site's latest feedback, from its stored standing (reports/standing.py): the
        # period's feedback itself grows with the collaborative (5 ms at 1,500 sites).
        latest = SiteStanding.feedback_at
        quiet = _scoped(
            db.select(Site).outerjoin(SiteStanding, SiteStanding.site_id == Site.id)
            .where(Site.collaborative_id == collaborative.id,
                   latest.is_(None) | (latest < period.start))
            .order_by(Site.name), None, sites)
        out.append(QuietSites(collaborative, period, QueryPage(
            quiet, rows=False, page=number, per_page=QUIET_PER_PAGE, windowed=True)))
    return out
