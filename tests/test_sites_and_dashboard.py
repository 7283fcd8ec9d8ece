from datetime import timedelta

from tests import factories as f
from tracker.extensions import db
from tracker.models import Collaborative, Profession, Site, Stage, utcnow


def add_members(app, site_id: int, n: int):
    with app.app_context():
        site = db.session.get(Site, site_id)
        professions = list(Profession)
        for i in range(n):
            f.make_user(site=site, profession=professions[i % len(professions)])
        db.session.commit()


def test_dashboard_shows_open_cycles_collaborative_and_events(app, login, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        f.make_cycle(site, stage=Stage.PLAN)
        f.make_cycle(site, stage=Stage.PLAN)
        f.make_cycle(site, stage=Stage.ACT)
        f.make_cycle(site, stage=Stage.ACT, deleted_at=utcnow())  # in the trash: not counted
        f.make_cycle(db.session.get(Site, world.site_b), stage=Stage.DO)
        collab = db.session.get(Collaborative, world.collaborative)
        f.make_event(collab, utcnow() + timedelta(days=10), title="Learning session 2")
        f.make_event(collab, utcnow() - timedelta(days=10), title="Learning session 1")
        f.make_event(db.session.get(Collaborative, world.network), utcnow() + timedelta(days=3),
                     title="North webinar")
        db.session.commit()
    html = login("member_a").get("/dashboard").get_data(True)
    assert "Alpha Hospital" in html and "Test DrEaMing" in html
    assert "Your open cycles (3)" in html  # not Beta's, not the trashed one
    assert "Learning session 2" in html and "North webinar" in html
    assert "Learning session 1" not in html  # past
    assert html.index("North webinar") < html.index("Learning session 2")  # soonest first


def test_dashboard_for_faculty_without_a_site(login, world):
    html = login("faculty").get("/dashboard").get_data(True)
    assert "Sites that may need support: Test DrEaMing" in html
    assert "Your open cycles" not in html


def test_navigation_lists_every_section_and_marks_the_current_one(login, world):
    html = login("member_a").get("/dashboard").get_data(True)
    for href in ("/dashboard", "/cycles/", "/ideas/", "/measures/", "/events/", "/sites/"):
        assert f'href="{href}"' in html
    assert 'aria-current="page"' in html


def test_site_page_lists_the_team_by_profession(app, login, world):
    html = login("member_b").get(f"/sites/{world.site_a}").get_data(True)
    assert "The team: 2 people, 1 professions" in html
    assert "Amy Nurse" in html and "Leo Lead" in html and "Site lead" in html
    assert "Manage" not in html  # a member of another site sees, but cannot manage


def test_site_lead_sees_management_controls(login, world):
    html = login("lead_a").get(f"/sites/{world.site_a}").get_data(True)
    assert "Manage Amy Nurse" in html and "Invite to this site" in html
    assert "Manage Leo Lead" not in html  # not themselves


def test_partner_reads_the_directory_but_cannot_manage(login, world):
    client = login("partner")
    assert "Alpha Hospital" in client.get("/sites/").get_data(True)
    assert "Manage" not in client.get(f"/sites/{world.site_a}").get_data(True)
    assert client.get("/auth/invite").status_code == 403


def test_site_page_query_count_does_not_grow_with_the_team(app, login, world, count_queries):
    client = login("member_a")
    add_members(app, world.site_a, 2)
    with count_queries() as small:
        client.get(f"/sites/{world.site_a}")
    add_members(app, world.site_a, 60)
    with count_queries() as large:
        assert "The team: 64 people" in client.get(f"/sites/{world.site_a}").get_data(True)
    assert large.count == small.count


def test_directory_and_dashboard_query_counts_do_not_grow_with_sites(app, login, world,
                                                                     count_queries):
    client = login("member_a")
    client.get("/dashboard")  # the first visit writes the first seen time
    app.extensions["memos"].clear()  # made afresh, as they are after the writes below
    with count_queries() as small:
        client.get("/sites/")
        client.get("/dashboard")
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for _ in range(40):
            site = f.make_site(collab)
            f.make_user(site=site)
            f.make_cycle(site)
        db.session.commit()
    with count_queries() as large:
        assert client.get("/sites/").get_data(True).count('<th scope="row">') == 42
        client.get("/dashboard")
    assert large.count == small.count


def test_report_and_storyboard_are_reachable_from_events_and_site_pages(login, world):
    client = login("member_a")
    assert 'href="/reports/action-period"' in client.get("/events/").get_data(True)
    assert f'href="/reports/sites/{world.site_a}/storyboard"' in client.get(
        f"/sites/{world.site_a}").get_data(True)
