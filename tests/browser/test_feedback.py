"""Feedback in the browser: faculty answer from the review queue, the team sees the
notification and marks the feedback addressed; mentions suggest as you type; the feature's
pages pass axe and fit a 360 px phone."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_journey import serious_violations, sign_in
from tracker.extensions import db
from tracker.models import Collaborative, EventKind, Site, User, utcnow

pytestmark = pytest.mark.browser


@pytest.fixture
def asked(app, world):
    """Alpha's cycle waiting for feedback, a comment on it, an event, some measure data."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        cycle = f.make_cycle(site, title="Chair by the bed", objective="Sit out on day 0",
                             scale_amount=1, scale_unit="patient")
        f.make_feedback_request(cycle, db.session.get(User, world.lead_a),
                                created_at=utcnow() - timedelta(days=6),
                                message="Is one patient enough?")
        parent = f.make_comment(cycle, world.member_b, "We tried **this** too.")
        f.make_comment(cycle, world.member_a, "How did it go?", parent_id=parent.id)
        collab = db.session.get(Collaborative, world.collaborative)
        event = f.make_event(collab, utcnow() + timedelta(days=20), title="Learning session 3",
                             kind=EventKind.LEARNING_SESSION, agenda="- Welcome\n- Storyboards",
                             materials="https://example.org/slides.pdf Slides")
        measure = f.make_measure(collab.id, name="DrEaMing")
        f.make_values(measure, site, [(5, 10), (6, 10), (7, 10), (6, 10), (8, 10)])
        db.session.commit()
        return {"cycle": cycle.id, "event": event.id}


def test_faculty_gives_feedback_from_the_queue_and_the_team_marks_it_addressed(
        page, live_server, world, asked):
    sign_in(page, live_server, "faculty@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.locator("#account-menu").click()
    page.get_by_role("link", name="Review queue", exact=True).click()
    page.wait_for_url(f"{live_server}/review")
    row = page.get_by_role("listitem").filter(has_text="Chair by the bed")
    assert "Waiting 6 days" in row.inner_text()
    row.get_by_role("link", name="Give feedback on Chair by the bed").click()
    page.get_by_label("Worksheet section").select_option("plan")
    page.get_by_label("PDSA-quality criterion").select_option("small_scale")
    page.get_by_label("Feedback").fill("Good: **one patient** first. Grow to a shift next.")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(f"{live_server}/cycles/{asked['cycle']}#feedback-*")
    expect(page.get_by_text("Feedback sent. The team has been told.")).to_be_visible()
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")

    sign_in(page, live_server, "lead.a@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.get_by_role("link", name="Notifications 1 unread").click()
    page.wait_for_url(f"{live_server}/notifications/")
    page.get_by_role("button", name=re.compile(r"^Open\W+Fay Faculty gave feedback")).click()
    page.wait_for_url(f"{live_server}/cycles/{asked['cycle']}")
    feedback = page.locator(".feedback-item")
    assert "Section: Plan" in feedback.inner_text()
    assert "Criterion: Small-scale testing" in feedback.inner_text()
    expect(feedback.locator("strong", has_text="one patient")).to_be_visible()
    feedback.get_by_role("button", name="Mark addressed").click()
    expect(page.get_by_text("Marked addressed.")).to_be_visible()
    expect(page.locator(".feedback-item .badge", has_text="Addressed")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
def test_mentions_are_suggested_as_you_type(page, live_server, world, asked):
    sign_in(page, live_server, "member.b@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/cycles/{asked['cycle']}")
    box = page.get_by_role("combobox", name="Comment")
    box.click()
    box.press_sequentially("Thanks @Fa")
    option = page.get_by_role("option", name="Fay Faculty")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("Enter")
    assert box.input_value() == "Thanks @[Fay Faculty] "
    box.press_sequentially("what next?")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"{live_server}/cycles/{asked['cycle']}#comment-*")
    expect(page.locator(".mention", has_text="@Fay Faculty")).to_be_visible()
PAGES = [
    ("/cycles/{cycle}", "lead.a@example.org"),
    ("/cycles/{cycle}/feedback", "faculty@example.org"),
    ("/review", "faculty@example.org"),
    ("/notifications/", "faculty@example.org"),
    ("/notifications/preferences", "member.a@example.org"),
    ("/events/", "member.a@example.org"),
    ("/events/{event}", "member.a@example.org"),
    ("/events/new", "faculty@example.org"),
    ("/reports/action-period", "member.a@example.org"),
    ("/reports/sites/{site_a}/storyboard", "member.a@example.org"),
    ("/reports/faculty", "faculty@example.org"),
    ("/dashboard", "member.a@example.org"),
]


@pytest.mark.parametrize("path,who", PAGES)
def test_pages_pass_axe(page, live_server, world, asked, path, who):
    sign_in(page, live_server, who)
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(live_server + path.format(site_a=world.site_a, **asked))
    assert serious_violations(page) == []


@pytest.mark.parametrize("path,who", PAGES)
def test_pages_fit_a_360px_phone(phone_page, live_server, world, asked, path, who):
    sign_in(phone_page, live_server, who)
    phone_page.wait_for_url(f"{live_server}/dashboard")
    phone_page.goto(live_server + path.format(site_a=world.site_a, **asked))
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, path
