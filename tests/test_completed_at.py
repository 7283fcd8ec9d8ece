"""Cycle.completed_at: set by the first move to Complete, kept if the cycle is reopened, and the
action-period report's count of completed cycles read from it gives the numbers the old reading
of every stage revision's snapshot gave."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.cycles import services
from tracker.events.periods import ActionPeriod
from tracker.extensions import db
from tracker.models import Cycle, CycleRevision, Decision, Site, Stage, User, Visibility
from tracker.reports import figures

NOW = datetime(2026, 6, 30, 12, 0)


def old_completed(site_ids: list[int], start: datetime, end: datetime) -> dict[int, int]:
    """The count as the report made it before Cycle.completed_at: the first revision whose
    snapshot recorded the move to Complete, else the cycle's last update."""
    first = (db.select(CycleRevision.cycle_id, sa.func.min(CycleRevision.created_at).label("at"))
             .where(CycleRevision.action == "stage",
                    CycleRevision.snapshot["stage"].as_string() == Stage.COMPLETE.value)
             .group_by(CycleRevision.cycle_id).subquery())
    when = sa.func.coalesce(first.c.at, Cycle.updated_at)
    rows = db.session.execute(
        db.select(Cycle.site_id, sa.func.count()).outerjoin(first, first.c.cycle_id == Cycle.id)
        .where(Cycle.site_id.in_(site_ids), Cycle.deleted_at.is_(None),
               Cycle.visibility == Visibility.COLLABORATIVE, Cycle.stage == Stage.COMPLETE,
               when >= start, when < end)
        .group_by(Cycle.site_id))
    return dict(rows.all())


@pytest.fixture
def clock(monkeypatch):
    """The services' clock, set by the test (each move is made 'on' a chosen day)."""
    moment = {"now": NOW}
    monkeypatch.setattr(services, "utcnow", lambda: moment["now"])
    return moment


def _to_act(cycle: Cycle, by: User, clock: dict, on: datetime) -> None:
    clock["now"] = on
    for stage in (Stage.DO, Stage.STUDY, Stage.ACT):
        services.move_stage(cycle, stage, by=by)
    cycle.decision = Decision.ADOPT


def _complete(cycle: Cycle, by: User, clock: dict, on: datetime) -> None:
    clock["now"] = on
    services.move_stage(cycle, Stage.COMPLETE, by=by)


def test_completed_at_is_the_first_move_to_complete(app, world, clock):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        amy = db.session.get(User, world.member_a)
        cycle = f.make_cycle(site, title="Chair", visibility=Visibility.COLLABORATIVE)
        _to_act(cycle, amy, clock, NOW - timedelta(days=30))
        assert cycle.completed_at is None
        _complete(cycle, amy, clock, NOW - timedelta(days=20))
        assert cycle.completed_at == NOW - timedelta(days=20)
        clock["now"] = NOW - timedelta(days=10)
        services.move_stage(cycle, Stage.ACT, by=amy)  # reopened: the first completion stays
        assert cycle.completed_at == NOW - timedelta(days=20)
        _complete(cycle, amy, clock, NOW - timedelta(days=5))
        assert cycle.completed_at == NOW - timedelta(days=20)


def test_report_counts_match_the_old_reading_of_revisions(app, world, clock):
    """Designed cycles around two periods: completed inside, before, reopened and completed
    again, reopened and left open, complete with no revision (made outside the app), a draft
    and a deleted one; every period's count is the old computation's."""
    with app.app_context():
        a, b = (db.session.get(Site, s) for s in (world.site_a, world.site_b))
        amy = db.session.get(User, world.member_a)
        day = lambda n: NOW - timedelta(days=n)  # noqa: E731

        def cycle(site, title, **kw):
            return f.make_cycle(site, title=title, visibility=kw.pop("visibility",
                                Visibility.COLLABORATIVE), created_at=day(80), **kw)

        inside = cycle(a, "Completed in the period")
        _to_act(inside, amy, clock, day(30))
        _complete(inside, amy, clock, day(10))
        before = cycle(a, "Completed before it")
        _to_act(before, amy, clock, day(60))
        _complete(before, amy, clock, day(40))
        again = cycle(b, "Reopened and completed again")
        _to_act(again, amy, clock, day(60))
        _complete(again, amy, clock, day(45))
        clock["now"] = day(20)
        services.move_stage(again, Stage.ACT, by=amy)
        _complete(again, amy, clock, day(3))
        reopened = cycle(b, "Reopened, still open")
        _to_act(reopened, amy, clock, day(30))
        _complete(reopened, amy, clock, day(12))
        clock["now"] = day(6)
        services.move_stage(reopened, Stage.ACT, by=amy)
        cycle(a, "Imported complete", stage=Stage.COMPLETE, decision=Decision.ADAPT,
              updated_at=day(2))
        cycle(b, "Imported long ago", stage=Stage.COMPLETE, updated_at=day(50))
        draft = cycle(a, "Draft", visibility=Visibility.SITE)
        _to_act(draft, amy, clock, day(30))
        _complete(draft, amy, clock, day(8))
        gone = cycle(b, "Deleted")
        _to_act(gone, amy, clock, day(30))
        _complete(gone, amy, clock, day(8))
        gone.deleted_at = day(1)
        db.session.commit()

        sites = [a, b]
        spans = [(day(28), NOW), (day(100), day(28)), (day(46), day(44)), (day(200), NOW)]
        for start, end in spans:
            new = figures.site_figures(sites, ActionPeriod(start, end), NOW)
            old = old_completed([a.id, b.id], start, end)
            assert {r.site.id: r.completed for r in new} == {s.id: old.get(s.id, 0)
                                                             for s in sites}
        counted = figures.site_figures(sites, ActionPeriod(day(28), NOW), NOW)
        # In this period: Alpha's completion and its import; Beta's re-completion counted
        # at its first completion (before the period), its reopened cycle not at all.
        assert [r.completed for r in counted] == [2, 0]
