"""What each site's cycles of each idea add up to, stored (`IdeaSiteStatus`): the latest Act
decision ("testing" while none is recorded), how many cycles, the comments on them, the first
test and the largest scale, over the cycles shared with the collaborative and over all of them.

The idea library and the idea's page read these instead of ranking every cycle per request (a
window over ~30,000 cycles of the collaborative nationally, ~3,000 of one idea, growing with
every cycle logged); per idea, what they add up to is stored too (`IdeaTotal`), so that the
library sums a row per idea rather than one per site. They can never be stale:
- every change to a cycle that moves its figures (its idea, site, decision, visibility,
  creation time, Do start, scale, or deletion) and every comment added to, removed from or
  restored on a cycle marks the (idea, site) pair due, and
- the commit recomputes the due pairs, and their ideas' totals, in the same transaction
  (`init_app` registers the session hooks). Bulk Core writes (the demo's) call `rebuild_all`,
  as does `flask rebuild-summaries`.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.db import keep_derived, lock
from ..core.versions import at_sites
from ..extensions import db
from ..models import ChangeIdea, Comment, Cycle, IdeaSiteStatus, IdeaTotal, Site, Visibility
from .queries import ADOPTED, SCALE_RANK

DUE = "idea_statuses_due"
DUE_COMMENTS = "idea_statuses_due_comments"  # new comments: their cycle is known after the flush
DUE_CYCLES = "idea_statuses_due_cycles"  # cycles whose comments changed
# The cycle's columns that move its figures; an edit of its text leaves them alone.
_STANDING = ("idea_id", "site_id", "decision", "visibility", "created_at", "deleted_at",
             "do_started_on", "scale_amount", "scale_unit")
_COLUMNS = ("idea_id", "site_id", "view", "status", "cycles", "comments", "first_run",
            "first_logged", "first_test", "scale_amount", "scale_unit")


def computed(*where) -> sa.CompoundSelect:
    """What the live cycles meeting `where` add up to for every (idea, site) pair, in both
    views, as rows of IdeaSiteStatus's columns (in _COLUMNS' order)."""
    return sa.union_all(_view("all", *where),
                        _view("shared", Cycle.visibility == Visibility.COLLABORATIVE, *where))


def _view(name: str, *where) -> sa.Select:
    pair = (Cycle.idea_id, Cycle.site_id)
    comments = (sa.select(sa.func.count()).where(Comment.cycle_id == Cycle.id,
                                                 Comment.deleted_at.is_(None))
                .scalar_subquery())
    ranked = sa.select(
        *pair, Cycle.decision, Cycle.do_started_on, Cycle.created_at, Cycle.scale_amount,
        Cycle.scale_unit, comments.label("comments"),
        sa.func.row_number().over(partition_by=pair, order_by=(
            Cycle.decision.is_(None), Cycle.created_at.desc(), Cycle.id.desc()),
        ).label("rn_decision"),
        sa.func.row_number().over(partition_by=pair, order_by=(
            SCALE_RANK.desc(), sa.func.coalesce(Cycle.scale_amount, 0).desc(),
            Cycle.created_at.desc(), Cycle.id.desc()),
        ).label("rn_scale"),
    ).where(Cycle.idea_id.is_not(None), Cycle.deleted_at.is_(None), *where).subquery()
    latest, largest = ranked.c.rn_decision == 1, ranked.c.rn_scale == 1
    first_run = sa.func.min(ranked.c.do_started_on)
    first_logged = sa.func.min(ranked.c.created_at)
    return sa.select(
        ranked.c.idea_id, ranked.c.site_id, sa.literal(name),
        sa.func.coalesce(sa.func.max(sa.case((latest, sa.cast(ranked.c.decision, sa.String)))),
                         "testing"),
        sa.func.count(), sa.func.sum(ranked.c.comments), first_run, first_logged,
        sa.func.coalesce(first_run, sa.func.date(first_logged)),
        sa.func.max(sa.case((largest, ranked.c.scale_amount))),
        sa.func.coalesce(sa.func.max(sa.case((largest, ranked.c.scale_unit))), ""),
    ).group_by(ranked.c.idea_id, ranked.c.site_id)


def _store(select: sa.CompoundSelect) -> None:
    db.session.execute(sa.insert(IdeaSiteStatus).from_select(_COLUMNS, select))


def _total(idea_ids: Iterable[int] | None = None) -> None:
    """Store what the standings with these ideas (None: every idea) add up to, per view
    (IdeaTotal): over the sites of each idea's own collaborative, where its cycles are."""
    s = IdeaSiteStatus
    ids = None if idea_ids is None else sorted(set(idea_ids))

    def of_them(column) -> tuple:
        return () if ids is None else (column.in_(ids),)

    db.session.execute(sa.delete(IdeaTotal).where(*of_them(IdeaTotal.idea_id))
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.insert(IdeaTotal).from_select(
        ("idea_id", "view", "sites_tested", "sites_adopted", "comments"),
        sa.select(s.idea_id, s.view, sa.func.count(), sa.func.sum(ADOPTED),
                  sa.func.sum(s.comments))
        .join(Site, Site.id == s.site_id).join(ChangeIdea, ChangeIdea.id == s.idea_id)
        .where(Site.collaborative_id == ChangeIdea.collaborative_id, *of_them(s.idea_id))
        .group_by(s.idea_id, s.view)))


def refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute and store the standing of these (idea, site) pairs."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    # ORs of equalities: SQLite reads a row-value IN by scanning every cycle.
    chosen = sa.or_(*((Cycle.idea_id == i) & (Cycle.site_id == s) for i, s in pairs))
    stored = sa.or_(*((IdeaSiteStatus.idea_id == i) & (IdeaSiteStatus.site_id == s)
                      for i, s in pairs))
    with at_sites(s for _, s in pairs):  # (and the ideas' totals, which no site's page shows)
        db.session.execute(sa.delete(IdeaSiteStatus).where(stored)
                           .execution_options(synchronize_session=False))
        _store(computed(chosen))
        _total(i for i, _ in pairs)


def rebuild_all() -> int:
    """Recompute every pair's standing; returns how many pairs have cycles."""
    db.session.execute(sa.delete(IdeaSiteStatus).execution_options(synchronize_session=False))
    _store(computed())
    _total()
    return db.session.scalar(sa.select(sa.func.count()).where(IdeaSiteStatus.view == "all"))


# Keeping them current: the session hooks.

def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Cycle):
            state = sa.inspect(obj)
            if obj in session.dirty and not any(
                    state.attrs[name].history.has_changes() for name in _STANDING):
                continue
            ideas = {obj.idea_id, *state.attrs.idea_id.history.deleted}
            sites = {obj.site_id, *state.attrs.site_id.history.deleted}
            session.info.setdefault(DUE, set()).update(
                (i, s) for i in ideas for s in sites if i is not None and s is not None)
        elif isinstance(obj, Comment):
            state = sa.inspect(obj)
            if obj in session.dirty and not (state.attrs.deleted_at.history.has_changes()
                                             or state.attrs.cycle_id.history.has_changes()):
                continue
            session.info.setdefault(DUE_COMMENTS, []).append(obj)
            session.info.setdefault(DUE_CYCLES, set()).update(
                c for c in state.attrs.cycle_id.history.deleted if c is not None)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # changes not flushed yet: the flush hook marks their pairs due
    due = session.info.pop(DUE, set())
    cycle_ids = session.info.pop(DUE_CYCLES, set())
    cycle_ids |= {c.cycle_id for c in session.info.pop(DUE_COMMENTS, [])
                  if c.cycle_id is not None}
    if cycle_ids:
        due |= {(idea_id, site_id) for idea_id, site_id in session.execute(
            sa.select(Cycle.idea_id, Cycle.site_id)
            .where(Cycle.id.in_(cycle_ids), Cycle.idea_id.is_not(None)))}
    if not due:
        return
    # Hold the ideas so that a concurrent change to the same pairs is either seen here or
    # waits for this commit and recomputes after it.
    lock(ChangeIdea.updated_at, *{idea_id for idea_id, _ in due})
    refresh(due)


def init_app(app) -> None:
    keep_derived((IdeaSiteStatus, IdeaTotal), _before_flush, _before_commit, DUE, DUE_COMMENTS,
                 DUE_CYCLES)
