"""Running a collaborative in Chromium: an overlapping action period refused next to its field,
a site's sign-up record saved and shown; the pages pass axe and fit a 360 px phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin import serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, live_server, email="admin@example.org"):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/dashboard")


def test_periods_and_a_sign_up_record_from_the_collaborative_page(page, live_server, world):
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/collaboratives/{world.collaborative}")
    for name, first, last in (("Action period 1", "2027-01-01", "2027-03-31"),
                              ("Action period 2", "2027-03-15", "2027-06-30")):
        page.get_by_role("link", name="Add an action period").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("First day").fill(first)
        page.get_by_label("Last day").fill(last)
        page.get_by_role("button", name="Save action period").click()
    expect(page.locator("#starts_on-error")).to_contain_text("overlap Action period 1")
    assert page.get_by_label("Name").input_value() == "Action period 2"
    assert serious_violations(page) == []
    page.get_by_label("First day").fill("2027-04-01")
    page.get_by_role("button", name="Save action period").click()
    expect(page.get_by_text("Action period 2: 1 Apr 2027 to 30 Jun 2027")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Edit Alpha Hospital").click()
    page.get_by_label("Date the site joined").fill("2027-01-15")
    page.get_by_label("Executive sponsor").fill("Dr Kay Sponsor, Medical Director")
    page.get_by_label("Wards or units taking part").fill("Ward 7\nWard 9")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save site").click()
    record = page.get_by_role("region", name="Sign-up record")
    expect(record).to_contain_text("Dr Kay Sponsor, Medical Director")
    expect(record).to_contain_text("15 January 2027")
    expect(record.get_by_role("table")).to_contain_text("Nurse")
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/admin/collaboratives/new", "/admin/collaboratives/{c}/edit",
                                  "/admin/collaboratives/{c}/periods/new",
                                  "/admin/sites/{s}/edit", "/sites/{s}"])
def test_new_admin_pages_pass_axe_and_fit_a_phone(phone_page, live_server, world, path):
    sign_in(phone_page, live_server)
    phone_page.goto(f"{live_server}{path.format(c=world.collaborative, s=world.site_a)}")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone_page) == []
