"""The faculty review queue: what is waiting for feedback, what changed since, who has had none.

Each list is one query whatever its length (the quiet-sites list is one per collaborative,
since each has its own action period).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, joinedload

from ..events.periods import ActionPeriod, current_period
from ..extensions import db
from ..models import Collaborative, Cycle, Feedback, FeedbackRequest, Site, User, Visibility


@dataclass
class Waiting:
    request: FeedbackRequest
    days: int
    asks_you: bool


@dataclass
class QuietSites:
    collaborative: Collaborative
    period: ActionPeriod
    sites: list[Site]


def _scoped(query: Select, collaborative_ids: set[int] | None, sites=None) -> Select:
    """`query` (joined to Site) kept to the collaboratives and, with `sites` (a condition on
    Site, e.g. core.queries.faculty_sites), to those sites."""
    if collaborative_ids is not None:
        query = query.where(Site.collaborative_id.in_(collaborative_ids))
    return query if sites is None else query.where(sites)


def asked_of(user: User, sites, *, narrowed: bool):
    """The `sites` condition for a queue of requests: one that names `user` stays in it
    wherever it comes from (a regional faculty member asked from another network), unless
    the queue was narrowed to one network."""
    return sites if sites is None or narrowed else sites | (FeedbackRequest.faculty_id == user.id)


def awaiting(user: User, collaborative_ids: set[int] | None, now: datetime, sites=None
             ) -> list[Waiting]:
    """Open requests, oldest first, with the days each has waited."""
    query = _scoped(
        db.select(FeedbackRequest).join(FeedbackRequest.cycle).join(Cycle.site)
        .where(FeedbackRequest.answered_at.is_(None), FeedbackRequest.withdrawn_at.is_(None),
               Cycle.deleted_at.is_(None), Cycle.visibility == Visibility.COLLABORATIVE)
        # Each row shows its cycle, site and who asked whom: loaded with the row.
        .options(contains_eager(FeedbackRequest.cycle).contains_eager(Cycle.site),
                 joinedload(FeedbackRequest.faculty), joinedload(FeedbackRequest.to_site),
                 joinedload(FeedbackRequest.requested_by))
        .order_by(FeedbackRequest.created_at, FeedbackRequest.id),
        collaborative_ids, sites)
    return [Waiting(r, (now - r.created_at).days,
                    r.is_for(user, r.cycle.site.collaborative_id))
            for r in db.session.scalars(query)]


def changed_since_feedback(user: User, collaborative_ids: set[int] | None, sites=None
                           ) -> list[tuple]:
    """Cycles this user gave feedback on that have changed since: (cycle, last feedback at)."""
    last = (db.select(Feedback.cycle_id, sa.func.max(Feedback.created_at).label("at"))
            .where(Feedback.author_id == user.id, Feedback.deleted_at.is_(None))
            .group_by(Feedback.cycle_id).subquery())
    query = _scoped(
        db.select(Cycle, last.c.at).join(last, last.c.cycle_id == Cycle.id).join(Cycle.site)
        .where(Cycle.updated_at > last.c.at, Cycle.deleted_at.is_(None))
        .options(contains_eager(Cycle.site))
        .order_by(Cycle.updated_at.desc()),
        collaborative_ids, sites)
    return [tuple(row) for row in db.session.execute(query)]


def quiet_sites(collaborative_ids: set[int] | None, now: datetime, sites=None
                ) -> list[QuietSites]:
    """Per collaborative, the sites that have had no feedback this action period."""
    query = db.select(Collaborative).where(Collaborative.parent_id.is_(None))
    if collaborative_ids is not None:
        query = query.where(Collaborative.id.in_(collaborative_ids))
    out = []
    for collaborative in db.session.scalars(query.order_by(Collaborative.name)):
        period = current_period(collaborative, now)
        had_feedback = (
            db.select(Feedback.id).join(Feedback.cycle)
            .where(Cycle.site_id == Site.id, Feedback.deleted_at.is_(None),
                   Feedback.created_at >= period.start)
        )
        quiet = db.session.scalars(_scoped(
            db.select(Site).where(Site.collaborative_id == collaborative.id,
                                  ~had_feedback.exists())
            .order_by(Site.name), None, sites)).all()
        out.append(QuietSites(collaborative, period, list(quiet)))
    return out
