"""Several collaboratives side by side: someone on site teams in two (DrEaMing and sepsis) logs
tests, adds ideas and reads reports in the right one, with a picker only when there is a choice.
"""

from dataclasses import dataclass

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    Cycle,
    Driver,
    Membership,
    Site,
)


@dataclass
class Second:
    collaborative: int
    site: int
    idea: int
    dreaming_idea: int
    driver: int


@pytest.fixture
def second(app, world) -> Second:
    """A sepsis collaborative with a site; member_a is on its team as well as Alpha's."""
    with app.app_context():
        sepsis = f.make_collaborative("Sepsis Six")
        site = f.make_site(sepsis, "Sepsis Ward")
        db.session.add(Membership(user_id=world.member_a, site_id=site.id))
        idea = f.make_idea(site, title="Antibiotics trolley")
        dreaming_idea = f.make_idea(db.session.get(Site, world.site_a), title="Snack boxes")
        driver = Driver(collaborative_id=sepsis.id, title="Early recognition")
        db.session.add(driver)
        db.session.commit()
        return Second(sepsis.id, site.id, idea.id, dreaming_idea.id, driver.id)


def quick_form(site: int, idea: int | str = "", title: str = "Trolley on ward 3") -> dict:
    return {"site_id": str(site), "title": title, "idea_id": str(idea), "new_idea": "",
            "objective": "Does a trolley speed things up?", "prediction": "",
            "scale_amount": "3", "scale_unit": "patient"}


def cycles(app) -> list[tuple]:
    with app.app_context():
        return [(c.title, c.site_id, c.idea_id) for c in db.session.scalars(db.select(Cycle))]


def test_the_quick_log_groups_sites_and_ideas_by_collaborative(app, login, world, second):
    page = login("member_a").get("/cycles/quick").get_data(as_text=True)
    assert '<optgroup label="Sepsis Six">' in page and '<optgroup label="Test DrEaMing">' in page
    assert "Antibiotics trolley" in page and "Snack boxes" in page
    selected = login("member_a").get(f"/cycles/quick?site={second.site}").get_data(
        as_text=True)
    assert f'selected value="{second.site}"' in selected or (
        f'value="{second.site}" selected' in selected)


def test_a_test_logged_at_a_sepsis_site_links_a_sepsis_idea(app, login, world, second):
    response = login("member_a").post("/cycles/quick", data=quick_form(second.site,
                                                                       second.idea))
    assert response.status_code == 302
    assert cycles(app) == [("Trolley on ward 3", second.site, second.idea)]


def test_an_idea_from_the_other_collaborative_is_refused_next_to_the_field(
        app, login, world, second):
    response = login("member_a").post("/cycles/quick", data=quick_form(
        second.site, second.dreaming_idea))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "choose one of Sepsis Six" in page.split('id="idea_id-error"')[1][:300]
    assert 'value="Trolley on ward 3"' in page
    assert cycles(app) == []


def test_someone_in_one_collaborative_sees_no_grouping(app, login, world, second):
    page = login("lead_a").get("/cycles/quick").get_data(as_text=True)
    assert "<optgroup" not in page and "Antibiotics trolley" not in page
    assert "Snack boxes" in page


def test_a_new_idea_goes_to_the_chosen_collaborative_from_its_own_site(
        app, login, world, second):
    client = login("member_a")
    page = client.get("/ideas/new").get_data(as_text=True)
    assert 'name="collaborative"' in page  # a picker: member_a is in two
    dreaming = client.get(f"/ideas/new?collaborative={world.collaborative}").get_data(
        as_text=True)
    assert "Early recognition" not in dreaming
    sepsis = client.get(f"/ideas/new?collaborative={second.collaborative}").get_data(
        as_text=True)
    assert "Early recognition" in sepsis  # the sepsis driver diagram's drivers
    response = client.post(f"/ideas/new?collaborative={second.collaborative}", data={
        "title": "Sepsis screening card", "description": "", "driver_id": str(second.driver),
        "tags": "", "create_anyway": "y"})
    assert response.status_code == 302
    response = client.post(f"/ideas/new?collaborative={world.collaborative}", data={
        "title": "Evening walk", "description": "", "driver_id": "", "tags": "",
        "create_anyway": "y"})
    assert response.status_code == 302
    with app.app_context():
        made = {i.title: (i.collaborative_id, i.origin_site_id) for i in db.session.scalars(
            db.select(ChangeIdea).where(ChangeIdea.title.in_(
                ["Sepsis screening card", "Evening walk"])))}
    assert made == {"Sepsis screening card": (second.collaborative, second.site),
                    "Evening walk": (world.collaborative, world.site_a)}


def test_no_picker_and_no_way_into_a_collaborative_one_is_not_in(app, login, world, second):
    client = login("member_b")
    assert 'name="collaborative"' not in client.get("/ideas/new").get_data(as_text=True)
    response = client.post(f"/ideas/new?collaborative={second.collaborative}", data={
        "title": "Sneaky", "description": "", "driver_id": "", "tags": "",
        "create_anyway": "y"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(db.select(ChangeIdea).filter_by(title="Sneaky")).all() == []


def test_the_driver_diagram_and_report_offer_the_users_collaboratives(
        app, login, world, second):
    client = login("member_a")
    for url in ("/ideas/drivers", f"/reports/action-period?collaborative={second.collaborative}"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="collaborative-picker"' in page, url
        assert f'<option value="{second.collaborative}" selected>Sepsis Six</option>' in page
    page = client.get(f"/ideas/drivers?collaborative={world.collaborative}").get_data(
        as_text=True)
    assert "Driver diagram: Test DrEaMing" in page and "Early recognition" not in page
    single = login("member_b").get("/ideas/drivers").get_data(as_text=True)
    assert 'id="collaborative-picker"' not in single


def test_the_faculty_dashboard_opens_on_the_collaborative_one_is_faculty_of(
        app, login, world, second):
    with app.app_context():
        db.session.add(CollaborativeRole(user_id=world.member_a,
                                         collaborative_id=world.collaborative,
                                         role=CollaborativeRoleKind.FACULTY))
        db.session.commit()
    client = login("member_a")
    # "Sepsis Six" comes first by name, but member_a is faculty only of DrEaMing.
    page = client.get("/reports/faculty").get_data(as_text=True)
    assert "Faculty dashboard: Test DrEaMing" in page
    assert client.get(f"/reports/faculty?collaborative={second.collaborative}"
                      ).status_code == 403
    with app.app_context():
        assert db.session.get(Collaborative, second.collaborative).name == "Sepsis Six"


def test_the_dashboard_counts_each_collaboratives_own_measures(app, login, world, second):
    with app.app_context():
        for n in range(3):
            f.make_measure(world.collaborative, name=f"DrEaMing {n}")
        f.make_measure(second.collaborative, name="Antibiotics in 1 h")
        db.session.commit()
    page = " ".join(login("member_a").get("/dashboard").get_data(as_text=True).split())
    dreaming = page.split(f'id="collab-{world.collaborative}-heading"')[1][:600]
    sepsis = page.split(f'id="collab-{second.collaborative}-heading"')[1][:600]
    assert "3 core measures" in dreaming and "1 core measure<" in sepsis


def test_an_idea_is_offered_for_trying_only_at_sites_of_its_collaborative(
        app, login, world, second):
    page = login("member_a").get(f"/ideas/{second.idea}").get_data(as_text=True)
    form = page.split('name="site_id"')[1].split("</select>")[0]
    assert "Sepsis Ward" in form and "Alpha Hospital" not in form
    response = login("member_a").post(f"/ideas/{second.idea}/try",
                                      data={"site_id": str(world.site_a)})
    assert response.status_code == 403
    assert cycles(app) == []
