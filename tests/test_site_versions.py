"""Sites' own versions (tracker/core/versions.py, tracker/core/shown_at.py): a write moves the
versions of the sites whose own pages show it, or the shared one; a site's dashboard sections
stay kept while other sites write, and show a write at their site, or one asking it, at once."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.test_dashboards import ward  # noqa: F401  (a fixture)
from tests.test_data_version import page_without_tokens
from tracker.core import versions
from tracker.extensions import db
from tracker.main import teams
from tracker.measures import services as measure_services
from tracker.measures.entries import Entry
from tracker.models import (
    Cycle,
    DataVersion,
    Measure,
    Notification,
    NotificationKind,
    Site,
    SiteVersion,
    User,
)


def _versions(app) -> dict:
    """The shared version and each site's (those written so far)."""
    with app.app_context():
        shared = db.session.scalar(sa.select(DataVersion.shared))
        return {"shared": shared, **dict(db.session.execute(
            sa.select(SiteVersion.site_id, SiteVersion.n)).all())}


def _moved(before: dict, after: dict) -> set:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


@pytest.fixture
def made(app, monkeypatch):
    """How many times the sites' sections were made (not served kept)."""
    app.config["CHECK_KEPT"] = False  # (which would make them again to compare)
    calls = []
    real = teams.team_sections
    monkeypatch.setattr(teams, "team_sections",
                        lambda *args: calls.append(1) or real(*args))
    return calls


def _teams(html: str) -> str:
    return html[html.index('id="team-'):html.index("What's been happening")]


def test_each_write_moves_the_sites_whose_pages_show_it(app, world):
    def write(change) -> set:
        before = _versions(app)
        with app.app_context():
            change()
            db.session.commit()
        return _moved(before, _versions(app))

    a, b = world.site_a, world.site_b
    with app.app_context():
        cycle_b = f.make_cycle(db.session.get(Site, b), title="Beta's own")
        measure = f.make_measure(world.collaborative, name="Falls", data_kind="count")
        db.session.commit()
        cycle_id, measure_id = cycle_b.id, measure.id
    # A cycle at a site: that site.
    assert write(lambda: setattr(db.session.get(Cycle, cycle_id), "title", "Beta's")) == {b}
    # Values entered on the grid (Core, in bulk) and their charts' summaries: that site.
    assert write(lambda: measure_services.save_entries(
        db.session.get(Measure, measure_id), [Entry(a, date(2026, 3, 2), value=3)],
        by=db.session.get(User, world.lead_a), source="grid")) == {a}
    # Asking another site for feedback: both; from then on the cycle shows at both.
    assert write(lambda: f.make_feedback_request(
        db.session.get(Cycle, cycle_id), world.member_b, to_site_id=a)) == {a, b}
    assert write(lambda: setattr(db.session.get(Cycle, cycle_id), "title", "Chairs")) == {a, b}
    # What no site's own page shows: no site, and not the shared version.
    assert write(lambda: db.session.add(Notification(
        user_id=world.member_a, kind=NotificationKind.COMMENT, text="Hello"))) == set()
    # What every site's pages may show (a collaborative's measure, a site's name, a
    # person's): the shared version.
    assert write(lambda: setattr(db.session.get(Measure, measure_id), "name", "Falls!")) == {
        "shared"}
    assert write(lambda: setattr(db.session.get(Site, a), "name", "Alpha General")) == {
        "shared"}
    assert write(lambda: setattr(db.session.get(User, world.member_b), "name", "Bea")) == {
        "shared"}
    # A site's own measure: its site; linked to a collaborative's measure, shared (that
    # measure's page lists it at every site).
    own = []
    assert write(lambda: own.append(f.make_measure(world.collaborative, site_id=b).id)) == {b}
    assert write(lambda: setattr(db.session.get(Measure, own[0]), "balances_id",
                                 measure_id)) == {"shared"}
    assert write(lambda: setattr(db.session.get(Measure, own[0]), "balances_id",
                                 None)) == {"shared"}  # (it was linked before)
    assert write(lambda: setattr(db.session.get(Measure, own[0]), "name", "Rails")) == {b}

    def renamed_unread():  # its links not loaded: they cannot be told from none
        measure = db.session.get(Measure, own[0])
        db.session.expire(measure, ["composite_id", "balances_id"])
        measure.name = "Bed rails"
    assert write(renamed_unread) == {"shared"}
    # A Core statement is placed only by the block it runs in; outside one, shared.
    assert write(lambda: db.session.execute(
        sa.update(Cycle).where(Cycle.id == cycle_id).values(title="Core"))) == {"shared"}

    def in_a_block():
        with versions.at_sites([b]):
            db.session.execute(sa.update(Cycle).where(Cycle.id == cycle_id).values(title="B"))
    assert write(in_a_block) == {b}
    # A cycle deleted for good: whom it asked is no longer known, so shared.
    assert write(lambda: db.session.delete(f.make_cycle(db.session.get(Site, a)))) == {
        "shared"}


def test_a_rolled_back_write_or_bookkeeping_moves_no_site(app, world, login):
    before = _versions(app)
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_a))
        db.session.rollback()
    assert login("member_a").get("/dashboard").status_code == 200  # its first look: unshown
    assert _moved(before, _versions(app)) == set()


def test_a_sites_sections_stay_kept_while_another_site_writes(app, login, world, ward, made):  # noqa: F811
    amy, bea = login("member_a"), login("member_b")
    amy.get("/dashboard")  # her first look writes its seen time
    sections = _teams(amy.get("/dashboard").get_data(True))
    assert made == [1]  # made once: the look's seen time is bookkeeping
    response = bea.post("/cycles/quick", data={
        "site_id": world.site_b, "title": "Beta's snack round", "objective": "Offer snacks",
        "scale_amount": "1", "scale_unit": "shift"})
    assert response.status_code == 302
    html = amy.get("/dashboard").get_data(True)
    assert _teams(html) == sections and made == [1]  # Alpha's sections: kept
    assert "Beta&#39;s snack round" in html[html.index("What's been happening"):]  # the feed


def test_a_write_at_the_site_shows_on_its_sections_at_once(app, login, world, ward, made):  # noqa: F811
    amy = login("member_a")
    amy.get("/dashboard")
    assert "Your open cycles (2)" in _teams(amy.get("/dashboard").get_data(True))
    response = amy.post("/cycles/quick", data={
        "site_id": world.site_a, "title": "Night snacks", "objective": "Offer snacks",
        "scale_amount": "1", "scale_unit": "shift"})
    assert response.status_code == 302
    sections = _teams(amy.get("/dashboard").get_data(True))
    assert "Your open cycles (3)" in sections and "Night snacks" in sections
    # This week's bundle figures, entered on the grid: no longer missing.
    assert "<strong>DrEaMing</strong>: nothing yet" in sections
    with app.app_context():
        bundle = db.session.get(Measure, ward["bundle"])
        from tracker.measures import periods
        week = periods.current_period(bundle.frequency)
        measure_services.save_entries(
            bundle, [Entry(world.site_a, week, numerator=7, denominator=10)],
            by=db.session.get(User, world.lead_a), source="grid")
        db.session.commit()
    sections = _teams(amy.get("/dashboard").get_data(True))
    assert "<strong>DrEaMing</strong>: nothing yet" not in sections


def test_another_sites_cycle_asking_for_feedback_shows_its_change_at_once(
        app, login, world, ward, made):  # noqa: F811
    amy = login("member_a")
    amy.get("/dashboard")
    assert "asks your site about “Beta&#39;s chairs”" in _teams(amy.get("/dashboard")
                                                                   .get_data(True))
    with app.app_context():  # Beta renames the cycle that asks Alpha
        cycle = db.session.scalar(sa.select(Cycle).where(Cycle.title == "Beta's chairs"))
        cycle.title = "Beta's recliners"
        db.session.commit()
    sections = _teams(amy.get("/dashboard").get_data(True))
    assert "asks your site about “Beta&#39;s recliners”" in sections
    calls = len(made)
    with app.app_context():  # and one of its own that asks nobody: Alpha's stay kept
        cycle = db.session.scalar(sa.select(Cycle).where(Cycle.title == "Beta's own test"))
        cycle.title = "Beta's own"
        db.session.commit()
    assert _teams(amy.get("/dashboard").get_data(True)) == sections and len(made) == calls


def test_a_shared_write_makes_every_sites_sections_again(app, login, world, ward, made):  # noqa: F811
    amy = login("member_a")
    amy.get("/dashboard")
    amy.get("/dashboard")
    calls = len(made)
    with app.app_context():
        db.session.get(Measure, ward["bundle"]).name = "DrEaMing bundle"
        db.session.commit()
    assert "<strong>DrEaMing bundle</strong>" in _teams(amy.get("/dashboard").get_data(True))
    assert len(made) == calls + 1


def test_the_sites_versions_come_with_the_signed_in_user(app, login, world, ward,  # noqa: F811
                                                          count_queries):
    amy = login("member_a")
    amy.get("/dashboard")
    with app.app_context():  # Beta writes: the global version moves, Alpha's does not
        f.make_cycle(db.session.get(Site, world.site_b))
        db.session.commit()
    with count_queries() as counted:
        assert amy.get("/dashboard").status_code == 200
    first, *rest = counted.statements
    assert "site_version" in first and "session_token" in first
    assert not any("site_version" in s or "data_version" in s for s in rest)


def test_a_site_read_after_another_commit_keeps_nothing(app, world):
    with app.app_context():
        assert versions.site_versions([world.site_a]) is not None
        db.session.rollback()  # a new transaction
        versions.current()
        # As if another commit came between what was read first and this site's version
        # (READ COMMITTED): what was loaded before may be older than the site's version.
        db.session.info[versions._READ] = -1
        assert versions.site_versions([world.site_a]) is None
        assert versions.kept_at_sites("test", 4, [world.site_a], "k", object) is not \
            versions.kept_at_sites("test", 4, [world.site_a], "k", object)


def test_the_check_of_kept_results_finds_a_result_kept_under_too_little(app, world):
    app.config["CHECK_KEPT"] = True
    made = iter(range(10))
    with app.app_context():
        assert versions.kept_until_written("test", 4, "k", lambda: 0) == 0
        assert versions.kept_until_written("test", 4, "k", lambda: 0) == 0  # the same: fine
        versions.kept_at_sites("other", 4, [world.site_a], "k", lambda: next(made))
        with pytest.raises(AssertionError, match="other: the kept result differs"):
            versions.kept_at_sites("other", 4, [world.site_a], "k", lambda: next(made))


def test_the_wards_everyday_writes_move_only_the_sites_that_show_them(
        app, login, world, ward):  # noqa: F811
    with app.app_context():
        asking = db.session.scalar(sa.select(Cycle.id).where(Cycle.title == "Beta's chairs"))
        own = db.session.scalar(sa.select(Cycle.id).where(Cycle.title == "Beta's own test"))
    bea, fay = login("member_b"), login("faculty")
    a, b = world.site_a, world.site_b

    def moved(post) -> set:
        before = _versions(app)
        assert post().status_code in (200, 302)
        return _moved(before, _versions(app))

    assert moved(lambda: bea.post("/cycles/quick", data={
        "site_id": b, "title": "Snack round", "objective": "Offer snacks",
        "scale_amount": "1", "scale_unit": "shift"})) == {b}
    assert moved(lambda: bea.post(f"/cycles/{own}/stage", data={"to": "do"})) == {b}
    assert moved(lambda: bea.post(f"/cycles/{own}/comments", data={"body": "Going well"})) == {b}
    assert moved(lambda: fay.post(f"/cycles/{own}/feedback", data={
        "body": "Write a prediction", "section": "plan", "criterion": "prediction"})) == {b}
    # On the cycle that asks Alpha: Alpha's dashboard names it, so both.
    assert moved(lambda: bea.post(f"/cycles/{asking}/comments", data={"body": "Hi"})) == {a, b}


def test_a_measure_page_at_a_site_stays_kept_while_another_site_enters_data(
        app, login, world, ward, monkeypatch):  # noqa: F811
    from tracker.measures import periods
    from tracker.measures.views import pages

    app.config["CHECK_KEPT"] = False  # (which would make it again to compare)
    made, real = [], pages._detail
    monkeypatch.setattr(pages, "_detail", lambda *a, **k: made.append(1) or real(*a, **k))
    amy, fay = login("member_a"), login("faculty")
    path = f"/measures/{ward['bundle']}?site_id={world.site_a}"

    def enter(site_id, numerator):
        with app.app_context():
            bundle = db.session.get(Measure, ward["bundle"])
            week = periods.current_period(bundle.frequency)
            measure_services.save_entries(
                bundle, [Entry(site_id, week, numerator=numerator, denominator=10)],
                by=db.session.get(User, world.faculty), source="grid")
            db.session.commit()

    page = page_without_tokens(amy, path)
    assert fay.get(path).status_code == 200 and len(made) == 2  # faculty may do other things
    enter(world.site_b, 5)  # Beta's week: Alpha's page stays kept, for both
    assert page_without_tokens(amy, path) == page and fay.get(path).status_code == 200
    assert len(made) == 2
    enter(world.site_a, 7)  # Alpha's own: at once
    assert "7 of 10" in amy.get(path).get_data(True) and len(made) == 3


def test_a_flush_that_found_nothing_to_write_places_no_later_statement(app, world):
    # A flush may end after its before_flush hooks with nothing to write (SQLAlchemy then
    # calls no after_flush): a Core write after it is not the flush's, and moves shared.
    before = _versions(app)
    with app.app_context():
        versions._flushing(db.session(), type("NoWork", (), {})(), None)
        db.session.execute(sa.update(Cycle).values(title="Core"))
        db.session.commit()
    assert _moved(before, _versions(app)) == {"shared"}


def test_data_changed_makes_every_sites_pages_again(app, runner):
    before = _versions(app)
    with app.app_context():
        n = db.session.scalar(sa.select(DataVersion.n))
    assert "new version" in runner.invoke(args=["data-changed"]).output
    assert _moved(before, _versions(app)) == {"shared"}  # (an edit in psql may touch any site)
    with app.app_context():
        assert db.session.scalar(sa.select(DataVersion.n)) != n


def test_a_sites_storyboard_stays_kept_while_another_site_writes(
        app, login, world, ward, monkeypatch):  # noqa: F811
    from tracker.reports import storyboard

    app.config["CHECK_KEPT"] = False  # (which would make it again to compare)
    made, real = [], storyboard.build
    monkeypatch.setattr(storyboard, "build", lambda *a: made.append(1) or real(*a))
    leo = login("lead_a")
    path = f"/reports/sites/{world.site_a}/storyboard"
    board = page_without_tokens(leo, path)
    with app.app_context():  # Beta's new test
        f.make_cycle(db.session.get(Site, world.site_b), title="Beta's snacks")
        db.session.commit()
    assert page_without_tokens(leo, path) == board and len(made) == 1
    with app.app_context():  # Alpha's test learns something: on its storyboard at once
        cycle = db.session.scalar(sa.select(Cycle).where(Cycle.title == "Water jugs"))
        cycle.study_learning = "Jugs within reach doubled what patients drank"
        db.session.commit()
    assert "Jugs within reach doubled" in leo.get(path).get_data(True) and len(made) == 2


def test_asking_for_feedback_holds_the_cycle(app, world, count_queries):
    # A rename saved at the same moment then waits for the request, or the request for it, so
    # the rename's sites are read with the request or before it (PostgreSQL READ COMMITTED).
    from tracker.feedback import services as feedback_services

    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_b))
        db.session.commit()
        with count_queries() as counted:
            feedback_services.request_feedback(cycle, by=db.session.get(User, world.member_b),
                                               site=db.session.get(Site, world.site_a))
        first_write = next(s for s in counted.statements if s.lstrip().startswith(
            ("INSERT", "UPDATE")))
        assert first_write.startswith("UPDATE cycle SET updated_at=cycle.updated_at")
        db.session.rollback()
