"""Choosing a site from many (tracker/sites/picker.py): a list while short, a box to type a
name in past LISTED sites, with suggestions from /sites/lookup."""

import re

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import Collaborative, FeedbackRequest, Site, Visibility
from tracker.sites import picker


@pytest.fixture
def many(app, world, monkeypatch):
    """The world's collaborative with more sites than it lists (LISTED made 3 for the test),
    a cycle at each, and a site of another collaborative."""
    monkeypatch.setattr(picker, "LISTED", 3)
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        for name in ("Northgate General", "North Shore", "Southmead", "Weston_50%"):
            site = f.make_site(collab, name)
            f.make_cycle(site, title=f"Drinks at {name}")
        f.make_cycle(db.session.get(Site, world.site_a), title="Drinks at Alpha",
                     visibility=Visibility.COLLABORATIVE)
        other = f.make_collaborative("Elsewhere")
        f.make_site(other, "Northfield Elsewhere")
        db.session.commit()
        return {"Elsewhere": other.id} | {
            s.name: s.id for s in db.session.scalars(db.select(Site))}


def titles(html: str) -> set[str]:
    return set(re.findall(r">(Drinks at [^<]+)<", html))


def test_a_short_list_of_sites_is_a_select(login, world):
    html = login("member_a").get("/cycles/").get_data(True)
    assert re.search(r'<select class="form-select" id="site" name="site"', html)
    assert f'<option value="{world.site_b}">Beta Hospital</option>' in html
    assert "data-site-lookup" not in html


def test_past_the_listed_number_the_site_is_typed_by_name_or_id(login, many):
    client = login("member_a")
    html = client.get("/cycles/").get_data(True)
    assert not re.search(r'<select[^>]+name="site"', html)  # no 7 options in the page
    assert 'data-site-lookup="/sites/lookup?collaborative' not in html  # any collaborative
    assert re.search(r'<input class="form-control" type="text" id="site" name="site" '
                     r'list="site-names"', html)
    by_name = client.get("/cycles/?site=southmead").get_data(True)  # any case
    assert titles(by_name) == {"Drinks at Southmead"}
    assert 'value="Southmead"' in by_name  # the box shows the site found
    by_id = client.get(f"/cycles/?site={many['North Shore']}").get_data(True)
    assert titles(by_id) == {"Drinks at North Shore"} and 'value="North Shore"' in by_id


def test_a_name_that_matches_no_site_is_said_next_to_the_box_and_kept(login, many):
    html = login("member_a").get("/cycles/?site=Northgat&q=drinks").get_data(True)
    assert "No site called “Northgat” here" in html
    assert 'value="Northgat"' in html and 'aria-invalid="true"' in html
    assert len(titles(html)) == 5  # the site filter ignored, the others kept
    # Another collaborative's site is not one to pick, by name or id.
    assert "No site called “Northfield Elsewhere”" in login("member_a").get(
        "/cycles/?site=Northfield Elsewhere").get_data(True)
    assert titles(login("member_a").get(
        f"/cycles/?site={many['Northfield Elsewhere']}").get_data(True)) == set()


def test_the_idea_library_and_search_take_a_typed_site(app, login, world, many):
    with app.app_context():
        f.make_idea(db.session.get(Site, many["Southmead"]), title="Jugs of water")
        f.make_idea(db.session.get(Site, world.site_a), title="Jugs of squash")
        db.session.commit()
    client = login("member_a")
    ideas = client.get("/ideas/?site=Southmead").get_data(True)
    assert "Jugs of water" in ideas and "Jugs of squash" not in ideas
    assert 'value="Southmead"' in ideas
    found = client.get("/search/?q=drinks&site=north+shore").get_data(True)
    assert re.findall(r'href="/cycles/\d+"><mark>Drinks</mark> at ([^<]+)</a>', found) == [
        "North Shore"]


def test_lookup_suggests_the_sites_one_may_see_names_starting_first(login, many):
    client = login("member_a")
    names = [s["name"] for s in client.get("/sites/lookup?q=north").get_json()]
    assert names == ["North Shore", "Northgate General"]  # not the other collaborative's
    assert [s["name"] for s in client.get("/sites/lookup?q=ORTH").get_json()] == [
        "North Shore", "Northgate General"]
    assert [s["name"] for s in client.get("/sites/lookup?q=spital").get_json()] == [
        "Alpha Hospital", "Beta Hospital"]
    # % and _ are letters here, not wildcards.
    assert [s["name"] for s in client.get("/sites/lookup?q=_50%").get_json()] == ["Weston_50%"]
    assert client.get("/sites/lookup?q=%25").get_json() == [
        {"id": many["Weston_50%"], "name": "Weston_50%"}]
    assert client.get("/sites/lookup?q=").get_json() == []
    # An admin sees every collaborative's sites; ?collaborative= keeps to one.
    admin = login("admin").get(f"/sites/lookup?q=north&collaborative={many['Elsewhere']}")
    assert [s["name"] for s in admin.get_json()] == ["Northfield Elsewhere"]


def test_feedback_is_asked_of_a_typed_site_and_only_one_of_the_cycles_collaborative(
        app, login, world, many):
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Water jugs",
                             visibility=Visibility.COLLABORATIVE)
        db.session.commit()
        cycle_id = cycle.id
    client = login("lead_a")
    page = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert 'data-site-lookup="/sites/lookup?collaborative=' in page
    url = f"/cycles/{cycle_id}/feedback-requests"
    refused = client.post(url, data={"site_id": "Nowhere General", "message": "Please look"})
    assert refused.status_code == 422
    html = refused.get_data(True)
    assert "No site called “Nowhere General” here" in html
    assert 'value="Nowhere General"' in html and "Please look" in html
    elsewhere = client.post(url, data={"site_id": str(many["Northfield Elsewhere"])})
    assert elsewhere.status_code == 422
    assert "Choose one of the sites offered." in elsewhere.get_data(True)
    own = client.post(url, data={"site_id": "Alpha Hospital"})  # the cycle's own site
    assert own.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackRequest)) == 0
    assert client.post(url, data={"site_id": "northgate general"}).status_code == 302
    with app.app_context():
        asked = db.session.scalars(db.select(FeedbackRequest)).one()
        assert asked.to_site_id == many["Northgate General"]


def test_the_measure_page_moves_to_a_typed_site(app, login, world, many):
    with app.app_context():
        measure_id = f.make_measure(world.collaborative, name="DrEaMing").id
        db.session.commit()
    client = login("faculty")
    page = client.get(f"/measures/{measure_id}?site_id={world.site_a}").get_data(True)
    assert re.search(r'id="site-picker" name="site_id" list="site-picker-names"[^>]*'
                     r'value="Alpha Hospital"', page)
    moved = client.get(f"/measures/{measure_id}?site_id=SOUTHmead&view=run")
    assert moved.status_code == 302
    assert moved.location == f"/measures/{measure_id}?site_id={many['Southmead']}&view=run"
    unknown = client.get(f"/measures/{measure_id}?site_id=Atlantis").get_data(True)
    assert "No site called “Atlantis” here" in unknown and 'value="Atlantis"' in unknown
