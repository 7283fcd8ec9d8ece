"""From an empty database to a collaborative with a network and a site, in Chromium; the
admin pages pass axe and fit a 360 px phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_first_run_to_a_collaborative_with_a_network_and_a_site(page, live_server):
    page.goto(f"{live_server}/")
    page.wait_for_url(f"{live_server}/setup")
    assert serious_violations(page) == []
    page.get_by_label("Your name").fill("Ana Admin")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create the admin account").click()
    page.wait_for_url(f"{live_server}/admin/")
    assert serious_violations(page) == []

    page.get_by_role("link", name="New collaborative").click()
    page.get_by_label("Name").fill("Sepsis")
    page.get_by_label("Aim").fill("Antibiotics within an hour for 90% of patients by June")
    page.get_by_label("Starts on").fill("2027-01-01")
    page.get_by_label("Ends on").fill("2026-12-01")
    page.get_by_role("button", name="Save collaborative").click()
    expect(page.locator("#ends_on-error")).to_contain_text("must come after the start date")
    assert page.get_by_label("Name").input_value() == "Sepsis"
    assert serious_violations(page) == []
    page.get_by_label("Ends on").fill("2027-12-31")
    page.get_by_role("button", name="Save collaborative").click()
    expect(page.get_by_role("heading", name="Sepsis")).to_be_visible()

    page.get_by_role("link", name="Add a regional network").click()
    page.get_by_label("Network name").fill("Sepsis North")
    page.get_by_role("button", name="Save network").click()
    page.get_by_role("link", name="Add a site").click()
    assert serious_violations(page) == []
    page.get_by_label("Site name").fill("Gamma Hospital")
    page.get_by_label("Organisation").fill("Gamma Trust")
    page.get_by_label("Regional network").select_option(label="Sepsis North")
    page.get_by_role("button", name="Add site").click()
    expect(page.get_by_role("row", name="Gamma Hospital")).to_contain_text("Sepsis North")
    assert serious_violations(page) == []

    page.goto(f"{live_server}/admin/audit")
    expect(page.get_by_role("cell", name="admin.site_created")).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/admin/", "/admin/collaboratives/1", "/admin/audit",
                                  "/admin/collaboratives/1/sites/new"])
def test_admin_pages_fit_a_phone(phone_page, live_server, world, path):
    phone_page.goto(f"{live_server}/auth/login")
    phone_page.get_by_label("Email").fill("admin@example.org")
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Sign in").click()
    phone_page.wait_for_url(f"{live_server}/dashboard")
    phone_page.goto(f"{live_server}{path}")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
