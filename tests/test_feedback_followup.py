"""Who gave feedback on each cycle, and whether it has changed since, stored
(tracker/feedback/followup.py): after every kind of change to feedback and cycles, what is
stored is what a reckoning from the feedback and cycles themselves gives, and the review
queue's "changed since your feedback" follows it."""

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories as f
from tracker.cycles import services as cycles
from tracker.extensions import db
from tracker.feedback import review
from tracker.feedback import services as feedback
from tracker.models import Cycle, Feedback, FeedbackFollowup, Site, Stage, User, utcnow


def reckoned() -> dict[tuple[int, int], tuple]:
    """{(author, cycle): (latest feedback not removed, the cycle's change, changed since)},
    by Python over every feedback row."""
    out: dict[tuple[int, int], tuple] = {}
    for given in db.session.scalars(sa.select(Feedback).where(Feedback.deleted_at.is_(None))):
        key = (given.author_id, given.cycle_id)
        latest = max(filter(None, (out.get(key, (None,))[0], given.created_at)))
        changed_at = db.session.get(Cycle, given.cycle_id).updated_at
        out[key] = (latest, changed_at, changed_at > latest)
    return out


def stored() -> dict[tuple[int, int], tuple]:
    return {(r.author_id, r.cycle_id): (r.feedback_at, r.cycle_changed_at, r.changed)
            for r in db.session.scalars(sa.select(FeedbackFollowup))}


def assert_stored_as_reckoned() -> None:
    db.session.expire_all()
    assert stored() == reckoned()


def changed_titles(user: User) -> list[str]:
    page = review.changed_since_feedback(user, None)
    return [cycle.title for cycle, _ in page.items]


def test_feedback_and_changes_to_the_cycle_keep_it_current(app, world):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        amy = db.session.get(User, world.member_a)
        faculty = db.session.get(User, world.faculty)
        lead = db.session.get(User, world.lead_a)
        cycle = cycles.log_cycle(a, by=amy, title="Snack box")
        db.session.commit()
        given = feedback.give_feedback(cycle, "Try a second ward", by=faculty)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[(faculty.id, cycle.id)][2] is False and changed_titles(faculty) == []
        # The team acts on it: changed since.
        assert cycles.save_worksheet(cycle, {"objective": "Snacks on two wards"},
                                     base_version=cycle.version, by=amy).saved
        db.session.commit()
        assert_stored_as_reckoned()
        assert changed_titles(faculty) == ["Snack box"]
        # More feedback from them: not changed since; from someone else: a row of their own.
        feedback.give_feedback(cycle, "Good", by=faculty)
        feedback.give_feedback(cycle, "Well done", by=lead)
        db.session.commit()
        assert_stored_as_reckoned()
        assert changed_titles(faculty) == [] and len(stored()) == 2
        cycles.move_stage(cycle, Stage.DO, by=amy, seen="plan", started_on=date(2026, 3, 2))
        db.session.commit()
        assert_stored_as_reckoned()
        assert changed_titles(faculty) == ["Snack box"] == changed_titles(lead)
        # Their later feedback removed: their latest is the first again.
        later = db.session.scalars(sa.select(Feedback).where(
            Feedback.author_id == faculty.id, Feedback.id != given.id)).one()
        feedback.delete_feedback(later)
        db.session.commit()
        assert_stored_as_reckoned()
        assert stored()[(faculty.id, cycle.id)][0] == given.created_at
        # All of it removed: no row.
        feedback.delete_feedback(given)
        db.session.commit()
        assert_stored_as_reckoned()
        assert (faculty.id, cycle.id) not in stored() and changed_titles(faculty) == []


def test_a_deleted_cycle_leaves_the_list_and_a_restored_one_comes_back(app, world):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        lead = db.session.get(User, world.lead_a)
        faculty = db.session.get(User, world.faculty)
        cycle = f.make_cycle(a, title="Chairs", updated_at=utcnow() - timedelta(days=3))
        f.make_feedback(cycle, world.faculty, created_at=utcnow() - timedelta(days=5))
        db.session.commit()
        assert_stored_as_reckoned()
        assert changed_titles(faculty) == ["Chairs"]
        cycles.soft_delete(cycle, by=lead)
        db.session.commit()
        assert_stored_as_reckoned()
        assert changed_titles(faculty) == []
        cycles.restore(cycle, by=lead)
        db.session.commit()
        assert_stored_as_reckoned()
        assert changed_titles(faculty) == ["Chairs"]


def test_the_rebuild_command_recomputes_every_row(app, world):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chairs")
        f.make_feedback(cycle, world.faculty)
        db.session.commit()
        db.session.execute(sa.delete(FeedbackFollowup))
        db.session.commit()
        assert stored() == {}
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "and 1 cycles given feedback in" in result.output
    with app.app_context():
        assert_stored_as_reckoned()
        assert len(stored()) == 1


def test_marking_feedback_addressed_recomputes_nothing(app, world, count_queries):
    """Only who gave it, on what, when and whether removed matter to the stored follow-ups
    and standing: the team's tick does not recompute them."""
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chairs")
        given = f.make_feedback(cycle, world.faculty)
        db.session.commit()
        with count_queries() as counter:
            feedback.set_addressed(given, True, by=db.session.get(User, world.member_a))
            db.session.commit()
        derived = [s for s in counter.statements
                   if "feedback_followup" in s or "site_standing" in s]
        assert derived == [] and counter.count > 0
        assert_stored_as_reckoned()
