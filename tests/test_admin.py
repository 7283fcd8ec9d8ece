"""The admin area: collaboratives, regional networks and sites, and who may change them."""

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import AuditEvent, Collaborative, CollaborativeRole, Site, utcnow

ROLES = ["member_a", "lead_a", "faculty", "partner", "admin"]


def names(app, model=Collaborative):
    with app.app_context():
        return sorted(x.name for x in db.session.scalars(db.select(model)))


def audit_actions(app):
    with app.app_context():
        return sorted(db.session.scalars(db.select(AuditEvent.action)))


def regional_faculty(app, world, network_id):
    """A user who is faculty of one regional network only, signed in."""
    with app.app_context():
        user = f.make_user(role="faculty", collaborative=db.session.get(Collaborative, network_id),
                           email="regional@example.org")
        db.session.commit()
        world.tokens["regional"] = user.session_token


@pytest.mark.parametrize("who", ROLES)
def test_only_admins_see_the_index_and_create_collaboratives(app, login, world, who):
    client = login(who)
    expected = 200 if who == "admin" else 403
    assert client.get("/admin/").status_code == expected
    assert client.get("/admin/collaboratives/new").status_code == expected
    response = client.post("/admin/collaboratives/new", data={"name": "Sepsis", "aim": "Fewer"})
    assert response.status_code == (302 if who == "admin" else 403)
    assert ("Sepsis" in names(app)) == (who == "admin")


def test_admin_pages_need_a_login(client, world):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_the_index_lists_networks_and_live_site_counts(app, login, world):
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        f.make_site(collab, "Gone Hospital", network_id=world.network, archived_at=utcnow())
        db.session.commit()
    page = login("admin").get("/admin/").get_data(as_text=True)
    # Two live sites in the network; the archived one is not counted.
    assert "Test DrEaMing" in page and "Test North (2)" in page


def test_the_index_costs_the_same_queries_with_more_collaboratives(app, login, world,
                                                                   count_queries):
    client = login("admin")
    client.get("/admin/")
    with count_queries() as few:
        assert client.get("/admin/").status_code == 200
    with app.app_context():
        for n in range(6):
            collab = f.make_collaborative(f"More {n}")
            for m in range(3):
                network = f.make_collaborative(f"More {n} net {m}", parent_id=collab.id)
                f.make_site(collab, f"Site {n}.{m}", network_id=network.id)
        db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/").get_data(as_text=True)
    assert "More 5 net 2 (1)" in page
    assert many.count == few.count


def test_create_and_edit_a_collaborative(app, login, world):
    client = login("admin")
    response = client.post("/admin/collaboratives/new", data={
        "name": "Sepsis", "aim": "Antibiotics within the hour", "starts_on": "2027-01-01",
        "ends_on": "2027-12-31"})
    assert response.status_code == 302
    with app.app_context():
        sepsis = db.session.scalars(db.select(Collaborative).filter_by(name="Sepsis")).one()
        assert str(sepsis.ends_on) == "2027-12-31"
        sepsis_id = sepsis.id
    response = client.post(f"/admin/collaboratives/{sepsis_id}/edit", data={
        "name": "Sepsis Six", "aim": "All six within the hour", "starts_on": "2027-01-01",
        "ends_on": ""})
    assert response.status_code == 302
    with app.app_context():
        sepsis = db.session.get(Collaborative, sepsis_id)
        assert (sepsis.name, sepsis.aim, sepsis.ends_on) == (
            "Sepsis Six", "All six within the hour", None)
    assert audit_actions(app) == ["admin.collaborative_created", "admin.collaborative_updated"]


@pytest.mark.parametrize("data,message", [
    ({"name": "Test North"}, "already taken"),
    ({"name": "test dreaming"}, "already taken"),
    ({"name": ""}, "This field is required"),
    ({"starts_on": "2027-06-01", "ends_on": "2027-05-01"}, "must come after the start"),
    ({"ends_on": "not a date"}, "Not a valid date"),
    ({"aim": "Patient 943 476 5919"}, "NHS number"),
])
def test_bad_collaborative_input_keeps_what_was_typed(app, login, world, data, message):
    form = {"name": "Falls", "aim": "Fewer falls typed here", **data}
    response = login("admin").post("/admin/collaboratives/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "Fewer falls typed here" in page or "aim" in data
    assert names(app) == ["Test DrEaMing", "Test North"]


@pytest.mark.parametrize("who,allowed", [
    ("member_a", False), ("lead_a", False), ("partner", False), ("faculty", False),
    ("admin", True)])
def test_only_admins_edit_and_archive_a_collaborative(app, login, world, who, allowed):
    client = login(who)
    url = f"/admin/collaboratives/{world.collaborative}"
    assert client.get(url + "/edit").status_code == (200 if allowed else 403)
    response = client.post(url + "/archive")
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        assert collab.is_archived == allowed


def test_an_archived_site_leaves_the_directory_but_stays_readable(app, login, world):
    login("admin").post(f"/admin/sites/{world.site_b}/archive")
    member = login("member_a")
    assert "Beta Hospital" not in member.get("/sites/").get_data(as_text=True)
    assert "Alpha Hospital" in member.get("/sites/").get_data(as_text=True)
    assert member.get(f"/sites/{world.site_b}").status_code == 200
    assert audit_actions(app) == ["admin.site_archived"]
    # Its work stays findable: the filters over cycles, ideas and search still offer it.
    for url in ("/cycles/", "/ideas/", "/search/?q=x"):
        page = member.get(url).get_data(as_text=True)
        assert f'value="{world.site_b}"' in page and "Beta Hospital (left)" in page, url
    # ...but the pickers that add to a site do not.
    assert "Beta Hospital" not in login("admin").get("/auth/invite").get_data(as_text=True)


def test_an_archived_collaborative_leaves_the_pickers_but_its_sites_stay_readable(
        app, login, world):
    login("admin").post(f"/admin/collaboratives/{world.collaborative}/archive")
    member = login("member_a")
    assert member.get(f"/sites/{world.site_a}").status_code == 200
    page = login("admin").get("/admin/").get_data(as_text=True)
    assert "Archived" in page


@pytest.mark.parametrize("who,allowed", [
    ("member_a", False), ("lead_a", False), ("partner", False), ("faculty", True),
    ("admin", True)])
def test_faculty_and_admins_manage_networks(app, login, world, who, allowed):
    client = login(who)
    url = f"/admin/collaboratives/{world.collaborative}"
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url + "/networks/new", data={"name": "Test South"})
    assert response.status_code == (302 if allowed else 403)
    response = client.post(f"/admin/networks/{world.network}/edit", data={"name": "North East"})
    assert response.status_code == (302 if allowed else 403)
    response = client.post(f"/admin/networks/{world.network}/archive")
    assert response.status_code == (302 if allowed else 403)
    expected = (["North East", "Test DrEaMing", "Test South"] if allowed
                else ["Test DrEaMing", "Test North"])
    assert names(app) == expected
    with app.app_context():
        assert db.session.get(Collaborative, world.network).is_archived == allowed


def test_a_network_name_must_be_free(app, login, world):
    response = login("faculty").post(f"/admin/networks/{world.network}/edit",
                                     data={"name": "Test DrEaMing"})
    assert response.status_code == 200 and "already taken" in response.get_data(as_text=True)
    assert names(app) == ["Test DrEaMing", "Test North"]


def site_form(world, **overrides):
    return {"name": "Gamma Hospital", "organisation": "Gamma Trust",
            "network_id": str(world.network), **overrides}


@pytest.mark.parametrize("who,allowed", [
    ("member_a", False), ("lead_a", False), ("partner", False), ("faculty", True),
    ("admin", True)])
def test_faculty_and_admins_create_and_archive_sites(app, login, world, who, allowed):
    client = login(who)
    url = f"/admin/collaboratives/{world.collaborative}/sites/new"
    assert client.get(url).status_code == (200 if allowed else 403)
    assert client.post(url, data=site_form(world)).status_code == (302 if allowed else 403)
    response = client.post(f"/admin/sites/{world.site_b}/archive")
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        gamma = db.session.scalars(db.select(Site).filter_by(name="Gamma Hospital")).first()
        assert (gamma is not None) == allowed
        assert db.session.get(Site, world.site_b).is_archived == allowed


def test_regional_faculty_manage_only_their_own_networks_sites(app, login, world):
    with app.app_context():
        other = f.make_collaborative("Test South", parent_id=world.collaborative)
        south_site = f.make_site(db.session.get(Collaborative, world.collaborative),
                                 "South Hospital", network_id=other.id)
        db.session.commit()
        other_id, south_site_id = other.id, south_site.id
    regional_faculty(app, world, world.network)
    client = login("regional")
    url = f"/admin/collaboratives/{world.collaborative}/sites/new"
    assert client.post(url, data=site_form(world)).status_code == 302
    assert client.post(url, data=site_form(world, name="X", network_id=str(other_id))
                       ).status_code == 403
    assert client.post(url, data=site_form(world, name="Y", network_id="")).status_code == 403
    assert client.post(f"/admin/sites/{world.site_a}/archive").status_code == 302
    assert client.post(f"/admin/sites/{south_site_id}/archive").status_code == 403
    assert client.post(f"/admin/networks/{world.network}/edit",
                       data={"name": "Mine"}).status_code == 403
    assert client.get("/admin/").status_code == 403
    assert "Gamma Hospital" in names(app, Site) and "X" not in names(app, Site)


@pytest.mark.parametrize("overrides,message", [
    ({"name": "alpha hospital"}, "already has a site"),
    ({"name": ""}, "This field is required"),
])
def test_bad_site_input_keeps_what_was_typed(app, login, world, overrides, message):
    response = login("admin").post(f"/admin/collaboratives/{world.collaborative}/sites/new",
                                   data=site_form(world, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and 'value="Gamma Trust"' in page
    assert names(app, Site) == ["Alpha Hospital", "Beta Hospital"]


def test_no_new_site_in_an_archived_network(app, login, world):
    client = login("admin")
    client.post(f"/admin/networks/{world.network}/archive")
    response = client.post(f"/admin/collaboratives/{world.collaborative}/sites/new",
                           data=site_form(world))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="network_id-error"' in page and "is archived" in page
    assert names(app, Site) == ["Alpha Hospital", "Beta Hospital"]


def test_a_foreign_network_is_refused(app, login, world):
    with app.app_context():
        elsewhere = f.make_collaborative("Sepsis")
        net = f.make_collaborative("Sepsis North", parent_id=elsewhere.id)
        db.session.commit()
        net_id = net.id
    response = login("admin").post(f"/admin/collaboratives/{world.collaborative}/sites/new",
                                   data=site_form(world, network_id=str(net_id)))
    assert "this collaborative&#39;s networks" in response.get_data(as_text=True)
    assert names(app, Site) == ["Alpha Hospital", "Beta Hospital"]


def test_missing_objects_are_404(login, world):
    client = login("admin")
    assert client.get("/admin/collaboratives/999").status_code == 404
    assert client.get(f"/admin/collaboratives/{world.network}").status_code == 404
    assert client.post(f"/admin/networks/{world.collaborative}/archive").status_code == 404
    assert client.post("/admin/sites/999/archive").status_code == 404


def test_archive_rejects_get(login, world):
    assert login("admin").get(f"/admin/sites/{world.site_a}/archive").status_code == 405


def test_the_account_menu_links_to_admin_for_admins_only(login, world):
    assert 'href="/admin/"' in login("admin").get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/"' not in login("faculty").get("/dashboard").get_data(as_text=True)


def test_faculty_role_fixture_is_national(app, world):
    with app.app_context():
        role = db.session.scalars(db.select(CollaborativeRole)
                                  .filter_by(user_id=world.faculty)).one()
        assert role.collaborative_id == world.collaborative


def test_faculty_reach_their_collaboratives_networks_and_sites_from_the_menu(login, world):
    html = login("faculty").get("/dashboard").get_data(True)
    assert f'href="/admin/collaboratives/{world.collaborative}"' in html
    assert "Networks and sites: Test DrEaMing" in html
    assert "/admin/collaboratives/" not in login("member_a").get("/dashboard").get_data(True)


def test_an_archived_site_takes_no_new_people(app, login, world):
    with app.app_context():
        db.session.get(Site, world.site_b).archived_at = utcnow()
        db.session.commit()
    html = login("admin").get("/auth/invite").get_data(True)
    assert f"site:{world.site_a}:member" in html
    assert f"site:{world.site_b}:member" not in html
