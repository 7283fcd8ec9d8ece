"""Regional networks: regional faculty's rights cover their network's sites only, and the
review queue, faculty dashboard and action-period report can be narrowed to one network."""

from dataclasses import dataclass

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import Collaborative, Membership, Site, SiteRole, User


@dataclass
class South:
    network: int
    site: int
    member: int
    membership: int


@pytest.fixture
def south(app, world) -> South:
    """A second network with a site; a shared test at Alpha (North) and at South, each asking
    faculty for feedback; "regional" is faculty of North only."""
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        network = f.make_collaborative("Test South", parent_id=collab.id)
        site = f.make_site(collab, "South Hospital", network_id=network.id)
        member = f.make_user(site=site, email="south@example.org", name="Sid South")
        regional = f.make_user(role="faculty", email="regional@example.org",
                               collaborative=db.session.get(Collaborative, world.network))
        for where, title in ((db.session.get(Site, world.site_a), "North cycle"),
                             (site, "South cycle")):
            cycle = f.make_cycle(where, title=title)
            f.make_feedback_request(cycle, world.member_a)
        membership = db.session.scalars(db.select(Membership.id).filter_by(
            user_id=member.id)).one()
        db.session.commit()
        world.tokens["regional"] = regional.session_token
        return South(network.id, site.id, member.id, membership)


def test_regional_faculty_review_only_their_networks_sites(app, login, world, south):
    page = login("regional").get("/review").get_data(as_text=True)
    assert "North cycle" in page and "South cycle" not in page
    # Asking for another network is ignored, not a way round the rule.
    page = login("regional").get(f"/review?network={south.network}").get_data(
        as_text=True)
    assert "North cycle" in page and "South cycle" not in page
    assert f'<option value="{south.network}"' not in page


def test_national_faculty_narrow_the_review_queue_to_one_network(app, login, world, south):
    client = login("faculty")
    page = client.get("/review").get_data(as_text=True)
    assert "North cycle" in page and "South cycle" in page
    page = client.get(f"/review?network={south.network}").get_data(as_text=True)
    assert "South cycle" in page and "North cycle" not in page
    assert "Sites of Test South only." in page
    quiet = page.split("No feedback this action period")[1]
    assert "South Hospital" in quiet and "Alpha Hospital" not in quiet


def test_the_faculty_dashboard_keeps_regional_faculty_to_their_network(
        app, login, world, south):
    page = login("regional").get("/reports/faculty").get_data(as_text=True)
    assert "Alpha Hospital" in page and "South Hospital" not in page
    page = login("faculty").get(f"/reports/faculty?network={south.network}").get_data(
        as_text=True)
    assert "South Hospital" in page and "Alpha Hospital" not in page
    assert 'id="network-picker"' in page
    # The full list of sites that may need support keeps to the same sites.
    page = login("regional").get("/reports/faculty/support").get_data(as_text=True)
    assert "Alpha Hospital" in page and "South Hospital" not in page
    page = login("faculty").get(f"/reports/faculty/support?network={south.network}").get_data(
        as_text=True)
    assert "South Hospital" in page and "Alpha Hospital" not in page


def test_the_action_period_report_filters_by_network(app, login, world, south):
    client = login("member_a")
    url = f"/reports/action-period?collaborative={world.collaborative}"
    everyone = client.get(url).get_data(as_text=True)
    assert "South Hospital" in everyone and "Alpha Hospital" in everyone
    north = client.get(f"{url}&network={world.network}").get_data(as_text=True)
    assert "Alpha Hospital" in north and "South Hospital" not in north
    csv = client.get(f"{url}&network={south.network}&format=csv")
    rows = csv.get_data(as_text=True).splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["South Hospital"]
    assert f"-network-{south.network}.csv" in csv.headers["Content-Disposition"]


def test_regional_faculty_manage_only_their_networks_teams(app, login, world, south):
    with app.app_context():
        north_membership = db.session.scalars(db.select(Membership.id).filter_by(
            user_id=world.member_a, site_id=world.site_a)).one()
        db.session.commit()
    client = login("regional")
    refused = client.post(f"/sites/{south.site}/members/{south.membership}/role",
                          data={"role": "site_lead"})
    assert refused.status_code == 403
    assert client.get(f"/sites/{south.site}").status_code == 200  # reading stays open
    allowed = client.post(f"/sites/{world.site_a}/members/{north_membership}/role",
                          data={"role": "site_lead"})
    assert allowed.status_code == 302
    with app.app_context():
        roles = {m.id: m.role for m in db.session.scalars(db.select(Membership))}
    assert roles[south.membership] == SiteRole.MEMBER
    assert roles[north_membership] == SiteRole.SITE_LEAD
    # National faculty manage every network's teams.
    assert login("faculty").post(f"/sites/{south.site}/members/{south.membership}/role",
                                 data={"role": "site_lead"}).status_code == 302


def test_regional_faculty_may_not_add_networks_or_change_the_collaborative(
        app, login, world, south):
    client = login("regional")
    assert client.post(f"/admin/collaboratives/{world.collaborative}/networks/new",
                       data={"name": "Test West"}).status_code == 403
    assert client.post(f"/admin/networks/{south.network}/archive").status_code == 403
    assert client.post(f"/admin/sites/{south.site}/archive").status_code == 403
    assert client.get(f"/admin/collaboratives/{world.collaborative}/edit").status_code == 403
    with app.app_context():
        assert db.session.get(Collaborative, south.network).archived_at is None
        assert db.session.get(Site, south.site).archived_at is None
        assert db.session.scalars(db.select(Collaborative).filter_by(
            name="Test West")).all() == []


def test_a_request_naming_regional_faculty_reaches_them_from_another_network(
        app, login, world, south):
    with app.app_context():
        regional = db.session.scalars(db.select(User).filter_by(
            email="regional@example.org")).one()
        cycle = f.make_cycle(db.session.get(Site, south.site), title="Asks North's faculty")
        f.make_feedback_request(cycle, south.member, faculty_id=regional.id)
        db.session.commit()
    page = login("regional").get("/review").get_data(as_text=True)
    assert "Asks North&#39;s faculty" in page and "South cycle" not in page


def test_regional_faculty_see_their_network_on_the_main_dashboard_too(app, login, world, south):
    page = login("regional").get("/dashboard").get_data(as_text=True)
    assert "North cycle" in page and "South cycle" not in page
    assert "South Hospital" not in page
    page = login("faculty").get("/dashboard").get_data(as_text=True)
    assert "North cycle" in page and "South cycle" in page
