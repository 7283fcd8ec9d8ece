"""Issue 16 on a phone (360 px): a check-in after Adopt, from the dashboard to saved, and the
progress score page; no sideways scrolling, axe finds nothing serious."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import serious_violations, sign_in
from tracker.cycles import services as cycle_services
from tracker.extensions import db
from tracker.models import CheckAnswer, Decision, Site, SustainCheck, User, utcnow
from tracker.sustain import watch

pytestmark = pytest.mark.browser


@pytest.fixture
def adopted(app, world):
    with app.app_context():
        site, member = db.session.get(Site, world.site_a), db.session.get(User, world.member_a)
        cycle = cycle_services.log_cycle(site, by=member, title="Drinks trolley at 10am")
        db.session.flush()
        mine = {**cycle_services.snapshot(cycle), "decision": Decision.ADOPT.value}
        cycle_services.save_worksheet(cycle, mine, base_version=cycle.version, by=member)
        check = watch.checks_of(cycle.id)[0]
        check.due_on = utcnow().date() - timedelta(days=2)
        db.session.commit()
        return check.id


def test_check_in_on_a_phone(app, world, adopted, live_server, phone_page):
    page = phone_page
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/dashboard")
    page.get_by_role("link", name="Is “Drinks trolley at 10am” still happening?").click()
    expect(page.get_by_role("heading", name="Is the change still happening?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save the check-in").click()  # nothing chosen
    expect(page.get_by_text("Say yes, partly or no.")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Partly").check()
    page.get_by_label("Note (what is helping or getting in the way)").fill("Nights struggle")
    page.get_by_role("button", name="Save the check-in").click()
    expect(page.get_by_text("Check-in saved: partly.")).to_be_visible()
    expect(page.get_by_role("heading", name="Is the change still happening?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    with app.app_context():
        check = db.session.get(SustainCheck, adopted)
        assert (check.answer, check.note) == (CheckAnswer.PARTLY, "Nights struggle")


def test_progress_score_on_a_phone(app, world, live_server, phone_page):
    page = phone_page
    sign_in(page, live_server, "lead.a@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/sustain/sites/{world.site_a}/progress")
    expect(page.get_by_text("The evidence suggests 1.0")).to_be_visible()
    page.get_by_label("Progress score this month").select_option("1.0")
    page.get_by_label("Why this score (what the team did and what the data show)").fill(
        "Team formed")
    page.get_by_role("button", name="Save this month's score").click()
    expect(page.get_by_text("Progress score for")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
