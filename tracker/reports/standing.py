"""Each site's cycles and the feedback asked on them, summed up and stored (`SiteStanding`): the
latest change to a live cycle, the latest Do start, when each open cycle last changed, and the
open feedback requests on its shared cycles (how many, the oldest, and how many ask any faculty
member or name each one), and the latest feedback given on its cycles.

The faculty's reasons for support (reports.dashboard) read a row per site from these instead of
asking every site's cycles and requests on each request (four index walks per site: ~40 ms at
1,500 sites, growing with them), the review queues' counts are sums of them
(feedback.review.counts), and its sites with no feedback this action period compare their
latest feedback. They can never be stale:
- every cycle added, changed or removed marks its site due (any change moves its last change),
  and every feedback request or feedback added, changed or removed marks its cycle's site due,
  and
- the commit recomputes the due sites in the same transaction (`init_app` registers the session
  hooks). Bulk Core writes (the demo's) call `rebuild_all`, as does `flask rebuild-summaries`.
"""

from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.db import keep_derived, lock, touches
from ..core.versions import at_sites
from ..cycles.queries import OPEN_STAGES
from ..extensions import db
from ..models import (
    STALLED_AFTER,
    Cycle,
    Feedback,
    FeedbackRequest,
    Site,
    SiteStanding,
    Visibility,
)

DUE = "site_standing_due"
DUE_CYCLES = "site_standing_due_cycles"  # requests, feedback changed: their cycles' sites


class Standing:
    """A site's stored standing, as the reasons for support read it (`read_columns`)."""

    __slots__ = ("active", "open_changes", "requests_open", "request_oldest_at")

    def __init__(self, active: int | None, open_changes: list[str] | None,
                 requests_open: int | None, request_oldest_at: datetime | None) -> None:
        self.active, self.open_changes = bool(active), open_changes or ()
        self.requests_open, self.request_oldest_at = requests_open or 0, request_oldest_at

    def stalled(self, before: str) -> tuple[int, datetime | None]:
        """How many open cycles were last changed before `before` (an ISO time, `stalled_since`
        of now), and when the longest-stalled last changed. The changes are ISO times, oldest
        first: compared as text, they count without reading each into a datetime."""
        count = bisect_left(self.open_changes, before)
        return count, (datetime.fromisoformat(self.open_changes[0]) if count else None)


def stalled_since(now: datetime) -> str:
    """The time before which an open cycle left unchanged is stalled at `now` (Cycle.is_stalled's
    rule), as the ISO time Standing.stalled compares with."""
    return (now - STALLED_AFTER).isoformat()


def read_columns(start: datetime) -> tuple:
    """The columns a Standing is made of, for an action period begun at `start`: whether a live
    cycle changed, or its test began, since then (decided in the query: a row per site of a
    national collaborative, where reading each time and date cost more than the query); the
    open cycles' changes; the open requests and the oldest. Outer-joined, a site without a
    row reads as none of anything."""
    s = SiteStanding
    active = sa.case(((s.cycle_changed_at >= start) | (s.test_started_on >= start.date()), 1),
                     else_=0)
    return active, s.open_changes, s.requests_open, s.request_oldest_at


def computed(site_ids: Iterable[int] | None = None) -> list[dict]:
    """The standing of these sites (every site when None), as rows to store: three queries."""
    chosen = [] if site_ids is None else [Cycle.site_id.in_(sorted(site_ids))]
    ids = (db.session.scalars(db.select(Site.id)) if site_ids is None else sorted(site_ids))
    rows = {site_id: {"site_id": site_id, "cycle_changed_at": None, "test_started_on": None,
                      "open_changes": [], "open_oldest_at": None, "requests_open": 0,
                      "request_oldest_at": None, "requests_any": 0, "requests_named": {},
                      "feedback_at": None}
            for site_id in ids}
    live = (Cycle.deleted_at.is_(None), *chosen)
    for site_id, changed, started in db.session.execute(
            db.select(Cycle.site_id, sa.func.max(Cycle.updated_at),
                      sa.func.max(Cycle.do_started_on)).where(*live).group_by(Cycle.site_id)):
        rows[site_id].update(cycle_changed_at=changed, test_started_on=started)
    for site_id, changed in db.session.execute(
            db.select(Cycle.site_id, Cycle.updated_at)
            .where(*live, Cycle.stage.in_(OPEN_STAGES)).order_by(Cycle.updated_at, Cycle.id)):
        row = rows[site_id]
        row["open_changes"].append(changed.isoformat())
        row["open_oldest_at"] = row["open_oldest_at"] or changed
    # The open requests by whom they ask: a faculty member by name, else a site, else any.
    unaddressed = sa.case((FeedbackRequest.to_site_id.is_(None), 1), else_=0)
    for site_id, faculty_id, to_any, count, oldest in db.session.execute(
            db.select(Cycle.site_id, FeedbackRequest.faculty_id, unaddressed,
                      sa.func.count(FeedbackRequest.id), sa.func.min(FeedbackRequest.created_at))
            .join(FeedbackRequest.cycle)
            .where(*live, Cycle.visibility == Visibility.COLLABORATIVE,
                   FeedbackRequest.answered_at.is_(None), FeedbackRequest.withdrawn_at.is_(None))
            .group_by(Cycle.site_id, FeedbackRequest.faculty_id, unaddressed)):
        row = rows[site_id]
        row["requests_open"] += count
        row["request_oldest_at"] = min(filter(None, (row["request_oldest_at"], oldest)))
        if faculty_id is not None:  # asking a site as well: still theirs (FeedbackRequest.asks)
            named = row["requests_named"]
            named[str(faculty_id)] = named.get(str(faculty_id), 0) + count
        elif to_any:
            row["requests_any"] += count
    # The latest feedback on any of its cycles, removed ones too (as the review queue asks).
    for site_id, given in db.session.execute(
            db.select(Cycle.site_id, sa.func.max(Feedback.created_at))
            .join(Feedback, Feedback.cycle_id == Cycle.id)
            .where(Feedback.deleted_at.is_(None), *chosen).group_by(Cycle.site_id)):
        rows[site_id]["feedback_at"] = given
    return list(rows.values())


def refresh(site_ids: Iterable[int]) -> None:
    """Recompute and store the standing of these sites."""
    site_ids = sorted(set(site_ids))
    if not site_ids:
        return
    rows = computed(site_ids)
    with at_sites(site_ids):
        db.session.execute(sa.delete(SiteStanding).where(SiteStanding.site_id.in_(site_ids))
                           .execution_options(synchronize_session=False))
        db.session.execute(sa.insert(SiteStanding), rows)


def rebuild_all() -> int:
    """Recompute every site's standing; returns how many sites."""
    db.session.execute(sa.delete(SiteStanding).execution_options(synchronize_session=False))
    rows = computed()
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(SiteStanding), rows[start:start + 2000])
    return len(rows)


# Keeping them current: the session hooks.

def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Cycle):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            history = sa.inspect(obj).attrs.site_id.history  # a cycle moved between sites
            session.info.setdefault(DUE, set()).update(
                s for s in (obj.site_id, *history.deleted) if s is not None)
        elif isinstance(obj, FeedbackRequest) or (
                isinstance(obj, Feedback)
                and touches(session, obj, "cycle_id", "created_at", "deleted_at")):
            history = sa.inspect(obj).attrs.cycle_id.history
            session.info.setdefault(DUE_CYCLES, set()).update(
                c for c in (obj.cycle_id, *history.deleted) if c is not None)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # changes not flushed yet: the flush hook marks their sites due
    due = session.info.pop(DUE, set())
    cycle_ids = session.info.pop(DUE_CYCLES, set())
    if cycle_ids:
        due |= set(session.scalars(sa.select(Cycle.site_id).where(Cycle.id.in_(cycle_ids))))
    if not due:
        return
    # Hold the sites so that a concurrent change to their cycles or requests is either seen
    # here or waits for this commit and recomputes after it.
    lock(Site.name, *due)
    refresh(due)


def init_app(app) -> None:
    keep_derived((SiteStanding,), _before_flush, _before_commit, DUE, DUE_CYCLES)
