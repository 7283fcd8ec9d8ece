"""A ward nurse on a phone: quick log, complete Do, Study and Act, start the next cycle."""

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_journey import serious_violations, sign_in
from tracker.extensions import db
from tracker.models import CycleQuestion, Site, Stage, utcnow

pytestmark = pytest.mark.browser


def test_phone_journey_from_quick_log_to_the_next_cycle(phone_page, live_server, world):
    page = phone_page
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/dashboard")
    page.get_by_role("link", name="+ Log a test").first.click()

    page.get_by_label("Title").fill("Chair by the bed")
    page.get_by_label("…or a new change idea").fill("Chair by the bed on return")
    page.get_by_label("What are we testing?").fill("A chair by every bed before patients return")
    page.get_by_label("What do we predict will happen?").fill("3 of 4 sit out by 18:00")
    page.get_by_label("Scale: how many").fill("1")
    page.get_by_label("Scale: of what").fill("patient")
    page.get_by_role("button", name="Save to Plan").click()
    expect(page.get_by_text("Saved in Plan.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The worksheet opens at the cycle's stage: each stage's fields are filled while in it.
    for stage, fill in (
        ("Do", {}),
        ("Study", {"Test started on": "2026-03-02", "What happened": "Chairs placed on Monday"}),
        ("Act", {"Result": "4 of 4 sat out", "What we learned": "Porters moved chairs"}),
        ("Complete", {"Next steps": "Try a whole bay"}),
    ):
        page.get_by_role("link", name="Edit worksheet").click()
        for label, value in fill.items():
            page.get_by_label(label, exact=True).first.fill(value)
        if stage == "Act":
            page.get_by_label("Did the prediction hold?").first.select_option("yes")
        if stage == "Complete":
            page.get_by_label("Decision").select_option("adapt")
        page.get_by_role("button", name=f"Save and move to {stage}").click()
        expect(page.get_by_text("Worksheet saved.")).to_be_visible()
        expect(page.locator("[aria-current=step]")).to_have_text(stage)

    # Not yet iterative (no next cycle) and no measure data: 3 of 5.
    expect(page.get_by_text("PDSA quality: 3 of 5 met")).to_be_visible()
    page.get_by_role("button", name="Start the next cycle").click()
    expect(page.get_by_text("Next cycle started in Plan")).to_be_visible()
    assert page.get_by_label("Title").input_value() == "Chair by the bed — cycle 2"
    assert page.get_by_label("Objective").input_value() == "Try a whole bay"
    page.get_by_label("Scale: of what").fill("bay")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Ramp: cycle 2 of 2")).to_be_visible()
@pytest.fixture
def cycle_id(app, world):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        first = f.make_cycle(site, title="Sip till send", stage=Stage.ACT, scale_amount=1,
                             scale_unit="patient", objective="Clear fluids until called")
        second = f.make_cycle(site, title="Sip till send — cycle 2", previous_id=first.id)
        db.session.commit()
        return second.id


@pytest.mark.parametrize("path", [
    "/cycles/", "/cycles/quick", "/cycles/{id}", "/cycles/{id}/edit", "/cycles/{id}/history",
    "/cycles/{id}/ramp", "/cycles/trash",
])
def test_cycle_pages_have_no_serious_accessibility_violations(page, live_server, world,
                                                              cycle_id, path):
    sign_in(page, live_server, "lead.a@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(live_server + path.format(id=cycle_id))
    assert serious_violations(page) == []


@pytest.fixture
def acting(app, world):
    """A cycle in Act with a question, at a site whose collaborative has 30 change ideas."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        for n in range(29):
            f.make_idea(site, title=f"Idea number {n:02d}")
        f.make_idea(site, title="Chair by the bed on return")
        cycle = f.make_cycle(site, title="Sit out", stage=Stage.ACT, objective="Sit out at 6",
                             questions=[CycleQuestion(question="Do they sit?",
                                                      prediction="3 of 4")])
        db.session.commit()
        return cycle.id


def test_worksheet_opens_at_the_current_stage_as_a_stepper(phone_page, live_server, world,
                                                           acting):
    page = phone_page
    sign_in(page, live_server, "member.a@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/{acting}")
    page.get_by_role("link", name="Edit worksheet").click()
    stepper = page.get_by_role("navigation", name="Worksheet stages")
    expect(stepper.locator("[aria-current=step]")).to_have_text("4 Act")
    assert page.locator("#stage-act").get_attribute("open") is not None
    for done in ("plan", "do", "study"):
        assert page.locator(f"#stage-{done}").get_attribute("open") is None
    expect(page.get_by_label("Decision")).to_be_in_viewport()
    expect(page.get_by_label("Objective")).to_be_hidden()
    # A finished stage opens from the stepper; the Study results sit beside their prediction.
    stepper.get_by_role("link", name="Study").tap()
    expect(page.get_by_label("Result", exact=True)).to_be_visible()
    assert "Predicted: 3 of 4" in page.locator("#stage-study").inner_text()
    page.get_by_label("Result", exact=True).fill("4 of 4")
    page.get_by_label("Decision").select_option("adopt")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.get_by_text("Worksheet saved.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_change_idea_picker_is_searchable(page, live_server, world, acting):
    sign_in(page, live_server, "member.a@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/{acting}/edit")
    search = page.get_by_label("Search the change ideas")
    search.fill("chair bed")
    expect(page.get_by_role("status").filter(has_text="1 idea matches")).to_be_visible()
    picker = page.get_by_label("Change idea", exact=True)
    visible = picker.locator("option:not([hidden])")
    assert visible.all_inner_texts()[-1] == "Chair by the bed on return"
    assert visible.count() == 2  # "none yet" and the match
    picker.select_option(label="Chair by the bed on return")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Change idea: Chair by the bed on return")).to_be_visible()



@pytest.mark.parametrize("addressed", [True, False])
def test_a_cycle_with_feedback_passes_axe(page, app, live_server, world, addressed):
    # The "Addressed" badge and the "Mark not yet addressed" button were once dimmed below 4.5:1.
    with app.app_context():
        cycle = f.make_cycle(db.session.get(Site, world.site_a), title="Chair by the bed")
        f.make_feedback(cycle, world.faculty, "Grow to a shift next.",
                        addressed_at=utcnow() if addressed else None)
        db.session.commit()
        cycle_id = cycle.id
    sign_in(page, live_server, "lead.a@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/{cycle_id}")
    button = "Mark not yet addressed" if addressed else "Mark addressed"
    expect(page.get_by_role("button", name=button)).to_be_visible()
    assert serious_violations(page) == []


def test_a_long_list_of_sites_is_typed_with_suggestions(phone_page, app, live_server, world,
                                                        monkeypatch):
    # Past LISTED sites the filter is a box: typing asks the server for names (a datalist),
    # and the name sent filters the list. Made 1 here so the world's two sites are "many".
    from tracker.sites import picker
    monkeypatch.setattr(picker, "LISTED", 1)
    with app.app_context():
        f.make_cycle(db.session.get(Site, world.site_b), title="Jugs at Beta")
        f.make_cycle(db.session.get(Site, world.site_a), title="Jugs at Alpha")
        db.session.commit()
    page = phone_page
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/")
    page.locator("summary").filter(has_text="Filter").first.click()
    box = page.get_by_label("Site", exact=True)
    box.press_sequentially("bet", delay=50)
    expect(page.locator("#site-names option")).to_have_count(1)
    assert page.locator("#site-names option").get_attribute("value") == "Beta Hospital"
    assert serious_violations(page) == []
    box.fill("Beta Hospital")
    box.press("Enter")
    expect(page.get_by_role("link", name="Jugs at Beta")).to_be_visible()
    expect(page.get_by_role("link", name="Jugs at Alpha")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
