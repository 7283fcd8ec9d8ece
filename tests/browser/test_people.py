"""Inviting a site lead by CSV and accepting in the same browser; the people pages pass axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin import serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

TABLE = ("name,email,role,site\n"
         "Sam Okafor,sam.okafor@example.org,site lead,Alpha Hospital\n"
         "Bad Row,not-an-email,member,Alpha Hospital\n")


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/dashboard")


def test_invite_a_site_lead_by_csv_and_accept_in_the_same_browser(page, live_server, world,
                                                                  app):
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/collaboratives/{world.collaborative}")
    page.get_by_role("link", name="Invite people").click()
    assert serious_violations(page) == []

    # An upload with one bad row: the preview names it, and nothing can be sent.
    page.get_by_label("Or upload a CSV or Excel (.xlsx) file").set_input_files(
        files=[{"name": "team.csv", "mimeType": "text/csv", "buffer": TABLE.encode()}])
    page.get_by_role("button", name="Check the table").click()
    expect(page.get_by_role("row", name=re.compile("Bad Row"))).to_contain_text(
        "is not an email address")
    expect(page.get_by_role("button", name="Send the invitations")).to_have_count(0)
    assert serious_violations(page) == []

    # Correct the table where it is shown, check again, send.
    table = page.get_by_label("Paste the table")
    table.fill(table.input_value().replace("Bad Row,not-an-email,member,Alpha Hospital\n", ""))
    page.get_by_role("button", name="Check the table").click()
    expect(page.get_by_role("row", name=re.compile("Sam Okafor"))).to_contain_text(
        "Ready to invite")
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_text("Sent 1 invitation.")).to_be_visible()

    page.goto(f"{live_server}/admin/collaboratives/{world.collaborative}/invitations")
    expect(page.get_by_role("row", name=re.compile("sam.okafor"))).to_contain_text("Pending")
    assert serious_violations(page) == []
    page.goto(f"{live_server}/admin/collaboratives/{world.collaborative}/people?never=1")
    assert serious_violations(page) == []

    body = app.extensions["mail_outbox"][-1].get_content()
    link = re.search(r"http://\S+(/auth/join/\S+)", body).group(1)
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")  # the device is cleared before it signs out

    page.goto(f"{live_server}{link}")
    assert serious_violations(page) == []
    expect(page.get_by_label("Your name")).to_have_value("Sam Okafor")
    page.get_by_label("New password", exact=True).fill("a long new password")
    page.get_by_label("Repeat the new password").fill("a long new password")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.get_by_text("You joined as Site lead at Alpha Hospital")).to_be_visible()

    page.goto(f"{live_server}/sites/{world.site_a}")
    expect(page.locator(".team-list li", has_text="Sam Okafor")).to_contain_text("Site lead")
    expect(page.get_by_role("link", name="Invitations")).to_be_visible()  # a lead manages
    assert serious_violations(page) == []
    page.get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("row", name=re.compile("sam.okafor"))).to_contain_text("Accepted")
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/admin/people/invite", "/admin/collaboratives/1/people",
                                  "/admin/collaboratives/1/invitations",
                                  "/admin/sites/1/invitations"])
def test_people_pages_fit_a_phone(phone_page, live_server, world, path):
    sign_in(phone_page, live_server, "admin@example.org")
    phone_page.goto(f"{live_server}{path}")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
