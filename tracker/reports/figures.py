"""The action-period report's figures, per site, in a fixed number of queries for any number
of sites. Only work shared with the collaborative counts (a site's drafts stay its own).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import g

from ..core.queries import LeadingJoin, Unindexed, rows_first
from ..cycles.queries import revised_since
from ..events.periods import ActionPeriod
from ..extensions import db
from ..measures import front
from ..measures.front import submissions
from ..models import (
    Comment,
    Cycle,
    CycleRevision,
    Decision,
    Feedback,
    Measure,
    MeasureValue,
    Membership,
    Profession,
    Site,
    Stage,
    User,
    Visibility,
)


@dataclass
class SiteFigures:
    site: Site
    started: int = 0
    completed: int = 0
    ramps_extended: int = 0
    decisions: dict[Decision, int] = field(default_factory=lambda: dict.fromkeys(Decision, 0))
    periods_expected: int = 0
    periods_submitted: int = 0
    signal: str = "No data yet"
    feedback_given: int = 0
    feedback_received: int = 0
    professions: list[tuple[str, int]] = field(default_factory=list)  # (label, people)

    @property
    def periods_missing(self) -> int:
        return self.periods_expected - self.periods_submitted


__all__ = ["SiteFigures", "main_measure", "site_figures"]


def main_measure(collaborative_id: int) -> Measure | None:
    """The collaborative's main measure (measures.front.main_measure), looked up once per
    request: a report's figures, its heading and its chart all ask."""
    known = g.setdefault("main_measures", {})
    if collaborative_id not in known:
        known[collaborative_id] = front.main_measure(collaborative_id)
    return known[collaborative_id]


def main_measure_with_summaries(collaborative_id: int, site_ids: list[int]
                                ) -> tuple[Measure | None, list | None]:
    """The main measure (as `main_measure`) and, when it is read now, its stored chart
    summaries at these sites with it in the same query (None when it was read before: then
    they are read apart)."""
    known = g.setdefault("main_measures", {})
    if collaborative_id in known:
        return known[collaborative_id], None
    measure, stored = front.main_measure_with_summaries(collaborative_id, site_ids)
    known[collaborative_id] = measure
    return measure, stored


def _in(column, start: datetime, end: datetime):
    return (column >= start) & (column < end)


def site_figures(sites: list[Site], period: ActionPeriod, now: datetime) -> list[SiteFigures]:
    """Each site's figures for the action period (up to `now` while it is running)."""
    start, end = period.start, period.until(now)
    out = {s.id: SiteFigures(s) for s in sites}
    ids = list(out)
    if not ids:
        return []
    shared = (Cycle.site_id.in_(ids), Cycle.deleted_at.is_(None),
              Cycle.visibility == Visibility.COLLABORATIVE)
    _cycles(out, shared, start, end)
    _feedback(out, ids, start, end)
    _measure_data(out, sites, start, end)
    _professions(out, ids, shared, start, end)
    return [out[s.id] for s in sites]


def _cycles(out: dict, shared: tuple, start: datetime, end: datetime) -> None:
    """Started and completed in the period, in one pass over the sites' cycles.

    Started: tested in the period (or, not yet run, logged in it); ramps extended: those with
    a previous cycle. Completed: when a move first took it to Complete (Cycle.completed_at;
    for cycles made outside the app, with no such move: their last update); decisions are
    counted once per idea (a cycle without an idea counts for itself), the latest one."""
    started = sa.or_(_in(Cycle.do_started_on, start.date(), end.date()),
                     Cycle.do_started_on.is_(None) & _in(Cycle.created_at, start, end))
    when = sa.func.coalesce(Cycle.completed_at, Cycle.updated_at)
    # A cycle completed in the period was last changed in it or since (completing it changed
    # it): said too, so each site's recent changes are read through the (site, last change)
    # index, not every cycle it ever completed.
    completed = ((Cycle.stage == Stage.COMPLETE) & (Cycle.updated_at >= start)
                 & _in(when, start, end))
    rows = db.session.execute(
        db.select(Cycle.site_id, Cycle.id, Cycle.idea_id, Cycle.decision,
                  Cycle.previous_id.is_not(None), sa.case((started, 1), else_=0),
                  sa.case((completed, 1), else_=0))
        .where(*shared, started | completed).order_by(when, Cycle.id))
    decided: dict[tuple[int, str], Decision] = {}
    for site_id, cycle_id, idea_id, decision, extends, was_started, was_completed in rows:
        figures = out[site_id]
        if was_started:
            figures.started += 1
            figures.ramps_extended += int(bool(extends))
        if was_completed:
            figures.completed += 1
            if decision is not None:
                decided[(site_id, f"idea{idea_id}" if idea_id else f"cycle{cycle_id}")] = (
                    decision)
    for (site_id, _), decision in decided.items():  # the latest decision on each idea
        out[site_id].decisions[decision] += 1


def _feedback(out: dict, ids: list[int], start: datetime, end: datetime) -> None:
    """Feedback received on the sites' cycles and given by their people on other sites'
    cycles (each item once per site), in one query."""
    live = (Feedback.deleted_at.is_(None), _in(Feedback.created_at, start, end))
    # By the site each piece was given to, from its (site, time) index: the period's feedback
    # across the collaborative, each joined to its cycle, grew with every site's.
    received = (db.select(sa.literal("received").label("kind"),
                          Feedback.site_id.label("site_id"), sa.func.count(Feedback.id).label("n"))
                .where(*live, Feedback.site_id.in_(ids))
                .group_by(Feedback.site_id))
    # From the sites' people to what each gave in the period (few, by author and time):
    # left to itself, SQLite read every piece of feedback the collaborative had in the
    # period, mostly faculty's (12 ms at 1,500 sites, for none).
    given = (db.select(sa.literal("given"), Membership.site_id,
                       sa.func.count(sa.distinct(Feedback.id)))
             .select_from(LeadingJoin(Membership, Feedback,
                                      Feedback.author_id == Membership.user_id))
             .where(*live, Membership.site_id.in_(ids), Feedback.site_id != Membership.site_id)
             .group_by(Membership.site_id))
    for kind, site_id, count in db.session.execute(sa.union_all(received, given)):
        setattr(out[site_id], f"feedback_{kind}", count)


def _measure_data(out: dict, sites: list[Site], start: datetime, end: datetime) -> None:
    """Periods of the main measure submitted and missing in the action period (complete
    periods only), and its latest signal over all the site's data."""
    by_collaborative: dict[int, list[int]] = defaultdict(list)
    for site in sites:
        by_collaborative[site.collaborative_id].append(site.id)
    for collaborative_id, site_ids in by_collaborative.items():
        measure, stored = main_measure_with_summaries(collaborative_id, site_ids)
        if measure is None:
            continue
        for site_id, sent in submissions(measure, site_ids, start, end, stored=stored).items():
            figures = out[site_id]
            figures.periods_expected, figures.periods_submitted = sent.expected, sent.submitted
            figures.signal = sent.signal


def _professions(out: dict, ids: list[int], shared: tuple, start: datetime,
                 end: datetime) -> None:
    """The professions of the site's people who contributed in the period (a cycle change,
    data entered, a comment or feedback), as counts of people: never names, never a ranking."""
    team = db.select(Membership.site_id, Membership.user_id).where(
        Membership.site_id.in_(ids)).subquery()
    # The sites' cycles' revisions in the span, each cycle's read from the (cycle, time)
    # index: the cost follows the sites asked for, not the whole collaborative's fortnight.
    # Only the cycles changed since the span began can have a revision in it (revised_since),
    # found through the (site, last change) index: every cycle each site ever had was 25 ms
    # of seeks at national. (Only a cycle revised in the span is read in full, to leave out
    # the deleted.)
    theirs = rows_first((Cycle.id, Cycle.site_id), Cycle.site_id.in_(ids),
                        revised_since(start))
    in_span = (db.select(theirs.c.site_id, CycleRevision.user_id, CycleRevision.cycle_id)
               .select_from(theirs).join(CycleRevision, CycleRevision.cycle_id == theirs.c.id)
               .where(_in(CycleRevision.created_at, start, end))
               .cte().prefix_with("MATERIALIZED"))
    revised = (db.select(in_span.c.site_id, in_span.c.user_id)
               .join(Cycle, Cycle.id == in_span.c.cycle_id).where(Cycle.deleted_at.is_(None)))
    authored = db.select(Cycle.site_id, Cycle.author_id).where(
        *shared, _in(Cycle.created_at, start, end))
    entered = db.select(MeasureValue.site_id, MeasureValue.entered_by_id).where(
        MeasureValue.site_id.in_(ids), _in(MeasureValue.updated_at, start, end))
    # What the teams wrote, from each member's own (by author): the period's comments and
    # feedback across the collaborative, read by time, grew with every site's.
    commented = db.select(team.c.site_id, Comment.author_id).select_from(
        LeadingJoin(team, Comment, team.c.user_id == Comment.author_id)).where(
        Comment.deleted_at.is_(None), _in(Unindexed(Comment.created_at), start, end))
    gave = db.select(team.c.site_id, Feedback.author_id).select_from(
        LeadingJoin(team, Feedback, team.c.user_id == Feedback.author_id)).where(
        Feedback.deleted_at.is_(None), _in(Unindexed(Feedback.created_at), start, end))
    pairs = sa.union(revised, authored, entered, commented, gave).subquery()
    site_col, user_col = pairs.c[0], pairs.c[1]
    rows = db.session.execute(
        db.select(site_col, User.id, User.profession).join(User, User.id == user_col)
        .join(Membership, (Membership.user_id == User.id) & (Membership.site_id == site_col))
        .distinct())
    counts: dict[int, Counter] = defaultdict(Counter)
    for site_id, _, profession in rows:
        counts[site_id][Profession(profession)] += 1
    for site_id, counter in counts.items():
        # Alphabetical by profession: a mix, not a league table.
        out[site_id].professions = sorted(((p.label, n) for p, n in counter.items()))
