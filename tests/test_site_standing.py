"""Each site's stored standing (tracker/reports/standing.py): after every kind of change to
cycles and the feedback asked on them, what is stored is what a reckoning from the cycles and
requests themselves gives, and the faculty's reasons for support follow it."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tests import factories as f
from tracker.cycles import services as cycles
from tracker.extensions import db
from tracker.feedback import services as feedback
from tracker.models import (
    Collaborative,
    Cycle,
    Decision,
    Feedback,
    FeedbackRequest,
    Site,
    SiteStanding,
    Stage,
    User,
    Visibility,
    utcnow,
)
from tracker.reports import standing
from tracker.reports.front import sites_needing_support


def reckoned() -> dict[int, tuple]:
    """{site: (latest change, latest Do start, open cycles' changes oldest first, open
    requests, the oldest, how many of those ask any faculty member, {faculty member: how
    many name them}, the latest feedback)} from the cycles, requests and feedback, by Python
    over every row."""
    out: dict[int, list] = {s: [None, None, [], 0, None, 0, {}, None] for s in db.session.scalars(
        sa.select(Site.id))}
    for cycle in db.session.scalars(sa.select(Cycle).where(Cycle.deleted_at.is_(None))):
        row = out[cycle.site_id]
        row[0] = max(filter(None, (row[0], cycle.updated_at)))
        if cycle.do_started_on:
            row[1] = max(filter(None, (row[1], cycle.do_started_on)))
        if cycle.stage != Stage.COMPLETE:
            row[2] = sorted([*row[2], cycle.updated_at])
    for request in db.session.scalars(sa.select(FeedbackRequest)):
        cycle = db.session.get(Cycle, request.cycle_id)
        if (request.answered_at is None and request.withdrawn_at is None
                and cycle.deleted_at is None and cycle.visibility == Visibility.COLLABORATIVE):
            row = out[cycle.site_id]
            row[3] += 1
            row[4] = min(filter(None, (row[4], request.created_at)))
            if request.faculty_id is not None:
                named = str(request.faculty_id)
                row[6][named] = row[6].get(named, 0) + 1
            elif request.to_site_id is None:
                row[5] += 1
    for given in db.session.scalars(sa.select(Feedback).where(Feedback.deleted_at.is_(None))):
        row = out[db.session.get(Cycle, given.cycle_id).site_id]
        row[7] = max(filter(None, (row[7], given.created_at)))
    return {s: tuple(row) for s, row in out.items()}


def stored() -> dict[int, tuple]:
    """The same, from the stored standing (a site with no row has none of anything)."""
    out = {s: (None, None, [], 0, None, 0, {}, None) for s in db.session.scalars(
        sa.select(Site.id))}
    for row in db.session.scalars(sa.select(SiteStanding)):
        out[row.site_id] = (row.cycle_changed_at, row.test_started_on,
                            [datetime.fromisoformat(t) for t in row.open_changes],
                            row.requests_open, row.request_oldest_at, row.requests_any,
                            row.requests_named, row.feedback_at)
    return out


def assert_stored_as_reckoned() -> None:
    db.session.expire_all()
    assert stored() == reckoned()
    for row in db.session.scalars(sa.select(SiteStanding)):  # the first open change, as a time
        assert row.open_oldest_at == (datetime.fromisoformat(row.open_changes[0])
                                      if row.open_changes else None)


def test_logging_moving_editing_and_asking_keep_it_current(app, world):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        amy, lead = db.session.get(User, world.member_a), db.session.get(User, world.lead_a)
        faculty = db.session.get(User, world.faculty)
        cycle = cycles.log_cycle(a, by=amy, title="Snack box")
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][2] == [cycle.updated_at]  # one open cycle
        cycles.move_stage(cycle, Stage.DO, by=amy, seen="plan", started_on=date(2026, 3, 2))
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][1] == date(2026, 3, 2)
        assert cycles.save_worksheet(cycle, {"objective": "Snacks after 18:00"},
                                     base_version=cycle.version, by=lead).saved
        db.session.commit()
        assert_stored_as_reckoned()
        asked = feedback.request_feedback(cycle, by=lead, message="Please look")
        feedback.request_feedback(cycle, by=lead, faculty=faculty)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][3:7] == (2, asked.created_at, 1, {str(faculty.id): 1})
        b = db.session.get(Site, world.site_b)
        of_site = feedback.request_feedback(cycle, by=lead, site=b)  # a site asked: neither
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][3:7] == (3, asked.created_at, 1, {str(faculty.id): 1})
        given = feedback.give_feedback(cycle, "Try a second ward", by=faculty)  # answers two
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][7] == given.created_at  # the latest feedback
        feedback.delete_feedback(given)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][7] is None
        assert stored()[a.id][3:7] == (1, of_site.created_at, 0, {})  # the site's is left
        feedback.withdraw_request(of_site)
        db.session.commit()
        assert stored()[a.id][3] == 0
        again = feedback.request_feedback(cycle, by=lead)
        db.session.commit()
        feedback.withdraw_request(again)
        db.session.commit()
        assert_stored_as_reckoned()
        cycles.move_stage(cycle, Stage.STUDY, by=amy, seen="do", ended_on=date(2026, 3, 6))
        cycles.move_stage(cycle, Stage.ACT, by=amy, seen="study")
        cycle.decision = Decision.ADOPT
        cycles.move_stage(cycle, Stage.COMPLETE, by=amy, seen="act")
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][2] == []  # complete: no open cycle left


def test_a_request_naming_a_faculty_member_and_a_site_counts_as_theirs(app, world):
    """As FeedbackRequest.asks reads it: named, whatever site it also names."""
    with app.app_context():
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        lead, faculty = db.session.get(User, world.lead_a), db.session.get(User, world.faculty)
        cycle = f.make_cycle(a, title="Asks twice")
        feedback.request_feedback(cycle, by=lead, faculty=faculty)
        feedback.request_feedback(cycle, by=lead, faculty=faculty, site=b)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][5:7] == (0, {str(faculty.id): 2})


def test_drafts_deleting_restoring_and_moving_keep_it_current(app, world):
    with app.app_context():
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        lead = db.session.get(User, world.lead_a)
        draft = f.make_cycle(a, title="Draft", visibility=Visibility.SITE)
        f.make_feedback_request(draft, world.lead_a)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][3] == 0  # a draft's request is nobody's to answer yet
        draft.visibility = Visibility.COLLABORATIVE
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][3] == 1
        cycles.soft_delete(draft, by=lead)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][:4] == (None, None, [], 0)
        cycles.restore(draft, by=lead)
        db.session.commit()
        assert_stored_as_reckoned()
        draft.site_id = b.id  # moved to another site (as an admin might)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[a.id][0] is None and stored()[b.id][3] == 1
        db.session.delete(db.session.scalars(sa.select(FeedbackRequest)).one())
        db.session.commit()
        assert_stored_as_reckoned()


def test_a_rolled_back_change_leaves_it_as_it_was(app, world):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        f.make_cycle(a, title="Kept")
        db.session.commit()
        before = stored()
        f.make_cycle(a, title="Not kept", do_started_on=date(2026, 5, 1))
        db.session.rollback()
        assert stored() == before
        assert_stored_as_reckoned()


def test_the_reasons_for_support_read_it(app, world):
    """Stalled cycles are counted on the day asked, from the stored changes: two open cycles
    of Alpha's, unchanged since 20 and 30 days ago, one changed yesterday."""
    now = utcnow()
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        for days in (20, 30, 1):
            f.make_cycle(a, title=f"{days} days", updated_at=now - timedelta(days=days))
        f.make_cycle(a, title="Done", stage=Stage.COMPLETE, updated_at=now - timedelta(days=90))
        db.session.commit()
        needing = sites_needing_support(db.session.get(Collaborative, world.collaborative), now)
        alpha = next(r for r in needing[:] if r.site.id == a.id)
        words = [str(r) for r in alpha.reasons]
        assert "2 cycles unchanged for over 2 weeks (longest 30 days)" in words
        # A cycle changed yesterday: not a quiet site this action period.
        assert "No cycle this action period" not in words
        # Written straight to the table, no session hook sees it: until its site's standing
        # is recomputed (as bulk writers do), the stored one stands.
        db.session.execute(sa.update(Cycle).where(Cycle.site_id == a.id)
                           .values(updated_at=now - timedelta(days=400)))
        standing.refresh([a.id])
        db.session.commit()
        needing = sites_needing_support(db.session.get(Collaborative, world.collaborative), now)
        words = [str(r) for r in next(r for r in needing[:] if r.site.id == a.id).reasons]
        assert "3 cycles unchanged for over 2 weeks (longest 400 days)" in words
        assert "No cycle this action period" in words


def test_the_rebuild_command_recomputes_every_standing(app, world):
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_a), title="Open")
        db.session.commit()
        db.session.execute(sa.delete(SiteStanding))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sites = db.session.scalar(sa.select(sa.func.count(Site.id)))
        assert f"{sites} sites' standing and" in result.output
        assert_stored_as_reckoned()
        assert len(stored()[world.site_a][2]) == 1


def test_stalled_is_counted_from_the_stored_times_by_the_cycles_rule():
    """Compared as ISO text, the stored times count as Cycle.is_stalled would: more than two
    weeks unchanged, to the microsecond (isoformat leaves out a zero fraction)."""
    now = datetime(2026, 3, 20, 9, 0, 0, 250_000)
    exactly = now - timedelta(weeks=2)
    times = [exactly - timedelta(days=3), exactly - timedelta(microseconds=1), exactly,
             exactly.replace(microsecond=0) + timedelta(seconds=1), now]
    stood = standing.Standing(0, [t.isoformat() for t in times], 0, None)
    assert stood.stalled(standing.stalled_since(now)) == (2, times[0])
    cycle = Cycle(stage=Stage.DO)
    for t in times:
        cycle.updated_at = t
        assert cycle.is_stalled(now) is (t < exactly)
    whole = datetime(2026, 3, 20, 9)  # a time with no fraction: "...T09:00:00"
    older = whole - timedelta(weeks=2, microseconds=1)
    stood = standing.Standing(0, [older.isoformat(), (whole - timedelta(weeks=2)).isoformat()],
                              0, None)
    assert stood.stalled(standing.stalled_since(whole)) == (1, older)
