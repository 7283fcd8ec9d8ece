"""Each site's stored standing with each idea (tracker/ideas/statuses.py): after every kind of
change to cycles and their comments, the library reads what a reckoning from the cycles the
user may read gives, for a member, a member of another site, faculty and an admin."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.cycles import services as cycles
from tracker.cycles.queries import cycles_visible_to
from tracker.extensions import db
from tracker.feedback import services as feedback
from tracker.ideas import statuses
from tracker.ideas.queries import evidence, library, site_status
from tracker.models import (
    Collaborative,
    Comment,
    Cycle,
    Decision,
    IdeaSiteStatus,
    IdeaTotal,
    Site,
    User,
    Visibility,
)

READERS = ("member_a", "member_b", "faculty", "admin")


def reckoned(user: User) -> dict[tuple[int, int], str]:
    """{(idea, site): status} from the cycles the user may read, by the library's rule: the
    latest cycle with a decision names it, else the site is still testing."""
    latest: dict[tuple[int, int], Cycle] = {}
    for cycle in db.session.scalars(cycles_visible_to(user).where(Cycle.idea_id.is_not(None))):
        key = (cycle.idea_id, cycle.site_id)
        best = latest.get(key)
        rank = (cycle.decision is not None, cycle.created_at, cycle.id)
        if best is None or rank > (best.decision is not None, best.created_at, best.id):
            latest[key] = cycle
    return {k: c.decision.value if c.decision else "testing" for k, c in latest.items()}


def evidence_reckoned(idea_id: int, user: User) -> dict[int, tuple]:
    """{site: (cycles, first run, first logged, latest decision, largest scale)} of the
    idea's cycles the user may read, by the idea page's rules."""
    by_site: dict[int, list[Cycle]] = {}
    for cycle in db.session.scalars(cycles_visible_to(user).where(Cycle.idea_id == idea_id)):
        by_site.setdefault(cycle.site_id, []).append(cycle)
    out = {}
    for site_id, cycles_ in by_site.items():
        decided = [c for c in cycles_ if c.decision is not None]
        latest = max(decided, key=lambda c: (c.created_at, c.id)) if decided else None
        largest = max(cycles_, key=lambda c: (_scale_rank(c.scale_unit), c.scale_amount or 0,
                                              c.created_at, c.id))
        runs = [c.do_started_on for c in cycles_ if c.do_started_on]
        out[site_id] = (len(cycles_), min(runs) if runs else None,
                        min(c.created_at for c in cycles_),
                        latest.decision.value if latest else None,
                        largest.scale_amount, largest.scale_unit)
    return out


def _scale_rank(unit: str) -> int:
    unit = unit.lower()
    for rank, words in ((1, ("patient",)), (2, ("shift",)), (3, ("day",)), (4, ("bay",)),
                        (5, ("week",))):
        if any(w in unit for w in words):
            return rank
    if "ward" in unit:
        return 7 if "all" in unit[:unit.rindex("ward")] else 6
    return 8 if "hospital" in unit or "site" in unit else 0


def comments_reckoned(user: User) -> dict[int, int]:
    """{idea: live comments} on the idea and on the cycles of it the user may read."""
    counts: dict[int, int] = {}
    visible = {c.id: c.idea_id for c in db.session.scalars(cycles_visible_to(user))}
    for comment in db.session.scalars(sa.select(Comment).where(Comment.deleted_at.is_(None))):
        idea = comment.idea_id or visible.get(comment.cycle_id)
        if idea is not None:
            counts[idea] = counts.get(idea, 0) + 1
    return counts


def assert_library_as_reckoned(world) -> None:
    for who in READERS:
        user = db.session.get(User, getattr(world, who))
        st = site_status(user)
        stored = {(i, s): status for i, s, status in db.session.execute(sa.select(st))}
        assert stored == reckoned(user), who
        query, _ = library(user)
        rows = db.session.execute(query).all()
        expected = reckoned(user)
        comments = comments_reckoned(user)
        for row in rows:
            idea = row[0].id
            assert row.sites_tested == sum(1 for i, _ in expected if i == idea), who
            assert row.sites_adopted == sum(1 for (i, _), s in expected.items()
                                            if i == idea and s == "adopt"), who
            assert row.comments == comments.get(idea, 0), who
            stored_evidence = {r.site_id: (r.cycles, r.first_run, r.first_logged, r.decision,
                                           r.amount, r.unit)
                               for r in evidence(row[0], user)}
            assert stored_evidence == evidence_reckoned(idea, user), who
    # And what is stored, per site and per idea, is what a rebuild from scratch stores.
    stored = lambda: [set(db.session.execute(sa.select(t)).all())  # noqa: E731
                      for t in (IdeaSiteStatus.__table__, IdeaTotal.__table__)]
    before = stored()
    statuses.rebuild_all()
    assert stored() == before


@pytest.fixture
def ideas(app, world):
    with app.app_context():
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        made = {"snacks": f.make_idea(a, title="Snack boxes").id,
                "walks": f.make_idea(b, title="Corridor walks").id}
        db.session.commit()
        return made


def test_logging_deciding_drafts_and_comments_keep_it_current(app, world, ideas):
    with app.app_context():
        a, b = db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)
        amy, bea = db.session.get(User, world.member_a), db.session.get(User, world.member_b)
        start = datetime(2026, 3, 2, 9)
        first = f.make_cycle(a, idea_id=ideas["snacks"], created_at=start, scale_amount=3,
                             scale_unit="patients", do_started_on=start.date())
        db.session.commit()
        assert_library_as_reckoned(world)
        # A decision on the older cycle, then a newer undecided one: the decision still names it.
        first.decision = Decision.ADAPT
        f.make_cycle(a, idea_id=ideas["snacks"], created_at=start + timedelta(days=3),
                     scale_amount=1, scale_unit="bay")
        db.session.commit()
        assert_library_as_reckoned(world)
        # A newer decided draft: Alpha's own team reads "adopt", other sites still "adapt".
        draft = f.make_cycle(a, idea_id=ideas["snacks"], visibility=Visibility.SITE,
                             decision=Decision.ADOPT, created_at=start + timedelta(days=5),
                             scale_amount=1, scale_unit="ward")
        # Beta's only cycle of the idea is a draft: nobody else sees Beta testing it.
        f.make_cycle(b, idea_id=ideas["walks"], visibility=Visibility.SITE)
        db.session.commit()
        user_a, user_b = (db.session.get(User, world.member_a),
                          db.session.get(User, world.member_b))
        assert reckoned(user_a)[(ideas["snacks"], a.id)] == "adopt"
        assert reckoned(user_b)[(ideas["snacks"], a.id)] == "adapt"
        assert (ideas["walks"], b.id) not in reckoned(user_a)
        assert_library_as_reckoned(world)
        # Comments, through the services: on the shared cycle, on the draft, deleted.
        shown = feedback.post_comment(first, "How did the night shift find it?", by=bea)
        feedback.post_comment(draft, "Only our ward so far", by=amy)
        db.session.commit()
        assert_library_as_reckoned(world)
        feedback.delete_comment(shown, by=bea)
        db.session.commit()
        assert_library_as_reckoned(world)
        # Shared at last: everyone now reads Alpha's adoption.
        draft.visibility = Visibility.COLLABORATIVE
        db.session.commit()
        assert reckoned(db.session.get(User, world.member_b))[(ideas["snacks"], a.id)] == "adopt"
        assert_library_as_reckoned(world)


def test_deleting_restoring_and_moving_a_cycle_keep_it_current(app, world, ideas):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        lead = db.session.get(User, world.lead_a)
        only = f.make_cycle(a, idea_id=ideas["snacks"], decision=Decision.ADOPT)
        f.make_comment(only, world.member_b)
        db.session.commit()
        cycles.soft_delete(only, by=lead)
        db.session.commit()
        assert (ideas["snacks"], a.id) not in reckoned(db.session.get(User, world.member_b))
        assert_library_as_reckoned(world)
        cycles.restore(only, by=lead)
        db.session.commit()
        assert_library_as_reckoned(world)
        # Moved to another idea: the first loses the site, the second gains it.
        only.idea_id = ideas["walks"]
        db.session.commit()
        assert_library_as_reckoned(world)
        assert db.session.get(IdeaSiteStatus, (ideas["snacks"], a.id, "all")) is None
        # Moved to another site of the collaborative (as an admin might).
        other = f.make_site(db.session.get(Collaborative, world.collaborative), "Gamma")
        only.site_id = other.id
        db.session.commit()
        assert db.session.get(IdeaSiteStatus, (ideas["walks"], a.id, "all")) is None
        assert db.session.get(IdeaSiteStatus, (ideas["walks"], other.id, "all")).status == "adopt"
        assert_library_as_reckoned(world)


def test_an_edit_of_a_cycles_text_leaves_the_standing_alone(app, world, ideas, count_queries):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), idea_id=ideas["snacks"])
        db.session.commit()
        cycle.objective = "Offer a snack box to every patient back from theatre after 18:00"
        with count_queries() as edit:
            db.session.commit()
        assert not any("idea_site_status" in q for q in edit.statements)


def test_a_rolled_back_change_leaves_it_as_it_was(app, world, ideas):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        f.make_cycle(a, idea_id=ideas["snacks"])
        db.session.commit()
        f.make_cycle(a, idea_id=ideas["snacks"], decision=Decision.ABANDON)
        db.session.rollback()
        assert db.session.get(IdeaSiteStatus, (ideas["snacks"], a.id, "all")).status == "testing"
        assert_library_as_reckoned(world)


def test_the_rebuild_command_recomputes_every_standing(app, world, ideas):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        f.make_cycle(a, idea_id=ideas["snacks"], decision=Decision.ADOPT)
        db.session.commit()
        db.session.execute(sa.delete(IdeaSiteStatus))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "1 sites' standing with an idea" in result.output
    with app.app_context():
        standing = db.session.get(IdeaSiteStatus, (ideas["snacks"], world.site_a, "shared"))
        assert standing.status == "adopt"
