"""For each person and cycle they gave feedback on, when they last did and when the cycle last
changed, stored (`FeedbackFollowup`): the review queue's "changed since your feedback" reads the
rows marked changed instead of grouping all the feedback a faculty member ever gave and joining
each cycle (16-25 ms at 10x, growing with their feedback). They can never be stale:
- every feedback added, changed or removed marks its (author, cycle) due, and every cycle
  changed marks the cycle due, and
- the commit recomputes them in the same transaction (`init_app` registers the session hooks).
  A due pair is recomputed under a lock on its cycle row, so a save of the cycle at the same
  moment is either seen or waits and updates the row after. Bulk Core writes (the demo's) call
  `rebuild_all`, as does `flask rebuild-summaries`.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.db import keep_derived, lock, touches
from ..core.versions import at_sites
from ..extensions import db
from ..models import Cycle, Feedback, FeedbackFollowup

DUE = "feedback_followup_due"  # (author, cycle) pairs whose feedback changed
DUE_CYCLES = "feedback_followup_due_cycles"  # cycles changed


def _computed(where) -> sa.Select:
    """(author, cycle, latest feedback, the cycle's change, changed) for the pairs `where`
    picks (a condition on Feedback), from the live feedback."""
    latest = sa.func.max(Feedback.created_at)
    return (db.select(Feedback.author_id, Feedback.cycle_id, latest.label("feedback_at"),
                      Cycle.updated_at, Cycle.updated_at > latest)
            .join(Cycle, Cycle.id == Feedback.cycle_id)
            .where(Feedback.deleted_at.is_(None), where)
            .group_by(Feedback.author_id, Feedback.cycle_id, Cycle.updated_at))


_COLUMNS = ("author_id", "cycle_id", "feedback_at", "cycle_changed_at", "changed")


def refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute and store these (author, cycle) pairs."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    picked = sa.tuple_(Feedback.author_id, Feedback.cycle_id).in_(pairs)
    rows = [dict(zip(_COLUMNS, row, strict=True))
            for row in db.session.execute(_computed(picked))]
    db.session.execute(
        sa.delete(FeedbackFollowup)
        .where(sa.tuple_(FeedbackFollowup.author_id, FeedbackFollowup.cycle_id).in_(pairs))
        .execution_options(synchronize_session=False))
    if rows:
        db.session.execute(sa.insert(FeedbackFollowup), rows)


def cycles_changed(cycle_ids: Iterable[int]) -> None:
    """Bring these cycles' rows up to their latest change."""
    changed_at = (db.select(Cycle.updated_at).where(Cycle.id == FeedbackFollowup.cycle_id)
                  .scalar_subquery())
    db.session.execute(
        sa.update(FeedbackFollowup).where(FeedbackFollowup.cycle_id.in_(sorted(cycle_ids)))
        .values(cycle_changed_at=changed_at,
                changed=changed_at > FeedbackFollowup.feedback_at)
        .execution_options(synchronize_session=False))


def rebuild_all() -> int:
    """Recompute every row; returns how many."""
    db.session.execute(sa.delete(FeedbackFollowup).execution_options(synchronize_session=False))
    db.session.execute(sa.insert(FeedbackFollowup).from_select(
        _COLUMNS, _computed(sa.true())))
    return db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackFollowup))


# Keeping them current: the session hooks.

def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Feedback) and touches(
                session, obj, "author_id", "cycle_id", "created_at", "deleted_at"):
            state = sa.inspect(obj).attrs
            authors = {obj.author_id, *state.author_id.history.deleted}
            cycles = {obj.cycle_id, *state.cycle_id.history.deleted}
            session.info.setdefault(DUE, set()).update(
                (a, c) for a in authors for c in cycles if a is not None and c is not None)
        elif isinstance(obj, Cycle) and obj in session.dirty:
            if session.is_modified(obj, include_collections=False):
                session.info.setdefault(DUE_CYCLES, set()).add(obj.id)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # changes not flushed yet: the flush hook marks them due
    pairs = session.info.pop(DUE, set())
    cycle_ids = session.info.pop(DUE_CYCLES, set())
    with at_sites(()):  # the follow-ups: no site's own page shows them (the review queue)
        if pairs:
            # Hold the cycles (updated_at set to itself: holding is not editing), so that a
            # save of one at the same moment is seen here or waits and brings the row up after.
            lock(Cycle.updated_at, *{c for _, c in pairs} - cycle_ids)
            refresh(pairs)
        if cycle_ids:
            cycles_changed(cycle_ids)


def init_app(app) -> None:
    keep_derived((FeedbackFollowup,), _before_flush, _before_commit, DUE, DUE_CYCLES)
