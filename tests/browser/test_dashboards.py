"""Each role's dashboard in Chromium, on a phone (360 px) and a laptop (1366 px): what it
offers to do next, no sideways scrolling on the phone, and axe finds nothing serious."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_journey import serious_violations, sign_in
from tracker.extensions import db
from tracker.models import (
    Collaborative,
    CycleQuestion,
    EventKind,
    Site,
    Stage,
    utcnow,
)

pytestmark = pytest.mark.browser

WIDTHS = (360, 1366)


@pytest.fixture
def busy(app, world):
    """Alpha's work in progress, a bundle to tally, feedback both ways, an event coming."""
    now = utcnow()
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        a = db.session.get(Site, world.site_a)
        studying = f.make_cycle(a, title="Chair by the bed", stage=Stage.STUDY)
        db.session.add(CycleQuestion(cycle_id=studying.id, question="More mobile?",
                                     prediction="8 of 10"))
        f.make_cycle(a, title="Day clothes", stage=Stage.DO,
                     do_started_on=(now - timedelta(days=30)).date(),
                     updated_at=now - timedelta(days=20))
        bundle = f.make_measure(collab.id, name="DrEaMing", target=70)
        for part in ("Drink", "Eat", "Mobilise"):
            f.make_measure(collab.id, name=part, composite_id=bundle.id)
        f.make_values(bundle, a, [(5 + i % 3, 10) for i in range(15)] + [None])
        f.make_feedback(studying, world.faculty, body="Try a bay next")
        f.make_feedback_request(studying, world.lead_a, created_at=now - timedelta(days=3))
        mine = f.make_comment(studying, world.partner, body="Did patients like it?")
        f.make_comment(studying, world.lead_a, body="They did", parent_id=mine.id)
        f.make_event(collab, now + timedelta(days=9), kind=EventKind.LEARNING_SESSION,
                     title="Learning session 3")
        db.session.commit()


def open_dashboard(browser, base: str, email: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  is_mobile=width < 400, has_touch=width < 400)
    page = context.new_page()
    sign_in(page, base, email)
    page.wait_for_url(f"{base}/dashboard")
    return context, page


def check_page(page, width: int) -> None:
    if width == 360:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_member_dashboard_offers_next_steps_data_chart_and_replies(app, browser, live_server,
                                                                   world, busy, width):
    with app.app_context():  # more measures missing than are shown with buttons
        for n in range(4):
            f.make_measure(world.collaborative, name=f"Balancing {n}", data_kind="count")
        db.session.commit()
    context, page = open_dashboard(browser, live_server, "member.a@example.org", width)
    expect(page.get_by_text("Study: record the result of your prediction")).to_be_visible()
    tally = page.get_by_role("link", name="Tally a patient for DrEaMing")
    expect(tally).to_be_visible()
    folded = page.get_by_role("link", name="Balancing 3")
    expect(folded).to_be_hidden()
    page.get_by_text("4 more measures with nothing yet").click()
    expect(folded).to_be_visible()
    # The small chart on a wide screen, the phone's drawing at 360 px.
    chart = page.locator(".chart-wrap .measure-chart:visible").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= width
    expect(page.get_by_role("link", name="Fay Faculty on “Chair by the bed”")).to_be_visible()
    check_page(page, width)
    tally.click()
    page.wait_for_url(f"{live_server}/measures/*/tally?site_id={world.site_a}")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_lead_dashboard_offers_signals_stalls_requests_and_the_next_event(browser, live_server,
                                                                          world, busy, width):
    context, page = open_dashboard(browser, live_server, "lead.a@example.org", width)
    expect(page.get_by_role("heading", name="Leading Alpha Hospital")).to_be_visible()
    row = page.get_by_role("row", name="DrEaMing")
    expect(row.locator(".spc-badge").first).to_be_visible()
    # On a phone each measure is a card of its own (label beside value), not a table row.
    assert row.evaluate("r => getComputedStyle(r).display") == (
        "block" if width == 360 else "table-row")
    expect(page.get_by_role("heading", name="Cycles stalled for more than 2 weeks (1)")) \
        .to_be_visible()
    expect(page.get_by_text("Waiting 3 days")).to_be_visible()
    expect(page.get_by_role("link", name="Your storyboard, printed or on screen")).to_be_visible()
    check_page(page, width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_faculty_dashboards_offer_support_queue_heatmap_and_measure(browser, live_server, world,
                                                                    busy, width):
    context, page = open_dashboard(browser, live_server, "faculty@example.org", width)
    support = page.get_by_role("heading", name="Sites that may need support: Test DrEaMing")
    expect(support).to_be_visible()
    expect(page.get_by_text("1 feedback request waiting, 1 asking you")).to_be_visible()
    check_page(page, width)
    page.get_by_role("link", name="Faculty dashboard: activity, main measure across sites").click()
    page.wait_for_url(f"{live_server}/reports/faculty?*")
    expect(page.get_by_role("table", name="Number of things done at each site in each week")) \
        .to_be_attached()
    expect(page.get_by_role("heading", name="DrEaMing across sites")).to_be_visible()
    across = page.get_by_role("table", name="DrEaMing at each site").get_by_role(
        "row", name="Alpha Hospital")
    assert across.evaluate("r => getComputedStyle(r).display") == (
        "block" if width == 360 else "table-row")
    check_page(page, width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_partner_dashboard_offers_news_and_answers(browser, live_server, world, busy, width):
    context, page = open_dashboard(browser, live_server, "partner@example.org", width)
    expect(page.get_by_role("heading", name="Since your last visit")).to_be_visible()
    answer = page.get_by_role("link", name="Leo Lead answered your comment on “Chair by the bed”")
    expect(answer).to_be_visible()
    check_page(page, width)
    answer.click()
    page.wait_for_url(f"{live_server}/cycles/*")
    context.close()
