"""From another site: search for an idea, read its evidence, try it, land in the draft cycle."""

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_journey import serious_violations, sign_in
from tracker.extensions import db
from tracker.models import Decision, Driver, Site, Stage

pytestmark = pytest.mark.browser


@pytest.fixture
def idea_id(app, world):
    with app.app_context():
        a = db.session.get(Site, world.site_a)
        eat = Driver(collaborative_id=world.collaborative, title="Eat")
        db.session.add(eat)
        db.session.flush()
        idea = f.make_idea(a, title="Evening snack boxes", driver_id=eat.id,
                           description="Snack boxes in the ward fridge after 18:00.")
        f.make_cycle(a, idea_id=idea.id, title="Snack boxes, 1 bay", stage=Stage.COMPLETE,
                     decision=Decision.ADOPT, scale_amount=1, scale_unit="bay")
        db.session.commit()
        return idea.id


def test_find_an_idea_read_its_evidence_and_try_it(page, live_server, world, idea_id):
    sign_in(page, live_server, "member.b@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.get_by_label("Search ideas, cycles and comments").fill("snack")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Evening snack boxes").click()
    expect(page.get_by_text("Tested at 1 site, adopted at 1")).to_be_visible()
    expect(page.get_by_role("cell", name="1 bay")).to_be_visible()
    page.get_by_role("button", name="Try this at our site").click()
    expect(page.get_by_text("A draft cycle testing “Evening snack boxes” is ready at Beta "
                            "Hospital")).to_be_visible()
    expect(page.get_by_label("Who can read it")).to_have_value("site")
    expect(page.get_by_label("Change idea").locator("option:checked")).to_have_text(
        "Evening snack boxes")


def test_duplicate_guard_suggests_similar_ideas_while_typing(page, live_server, world,
                                                             idea_id):
    sign_in(page, live_server, "member.b@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/ideas/new")
    page.get_by_label("Title").press_sequentially("snack boxes", delay=20)
    suggestion = page.locator("#similar-ideas").get_by_role("link", name="Evening snack boxes")
    suggestion.wait_for()
    expect(suggestion).to_be_visible()
@pytest.mark.parametrize("path,who", [
    ("/ideas/", "member.b@example.org"),
    ("/ideas/{id}", "member.b@example.org"),
    ("/ideas/new", "member.b@example.org"),
    ("/ideas/drivers", "faculty@example.org"),
    ("/ideas/tags", "faculty@example.org"),
    ("/search/?q=snack", "member.b@example.org"),
])
def test_idea_pages_have_no_serious_accessibility_violations(page, live_server, world,
                                                             idea_id, path, who):
    sign_in(page, live_server, who)
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(live_server + path.format(id=idea_id))
    assert serious_violations(page) == []


def test_idea_library_fits_a_phone(phone_page, live_server, world, idea_id):
    sign_in(phone_page, live_server)
    phone_page.wait_for_url(f"{live_server}/dashboard")
    for path in ("/ideas/", f"/ideas/{idea_id}", "/ideas/drivers"):
        phone_page.goto(live_server + path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, path
