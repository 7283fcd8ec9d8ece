"""Issue 12's journey in one go, in Chromium, from an empty database: the first admin, a
collaborative with an aim, two regional networks, three sites, a site lead invited by CSV who
accepts in the same browser and logs the collaborative's first cycle, which their dashboard
then shows. (CI runs it on SQLite and on PostgreSQL.)"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin import serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SITES = (("Gamma Hospital", "Sepsis North"), ("Delta Hospital", "Sepsis North"),
         ("Epsilon Hospital", "Sepsis South"))


def first_admin(page, live_server) -> None:
    page.goto(f"{live_server}/")
    page.wait_for_url(f"{live_server}/setup")
    page.get_by_label("Your name").fill("Ana Admin")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create the admin account").click()
    page.wait_for_url(f"{live_server}/admin/")


def collaborative_with_networks_and_sites(page) -> None:
    page.get_by_role("link", name="New collaborative").click()
    page.get_by_label("Name").fill("Sepsis")
    page.get_by_label("Aim").fill("Antibiotics within an hour for 90% of patients by June")
    page.get_by_label("Starts on").fill("2026-01-01")
    page.get_by_label("Ends on").fill("2027-12-31")
    page.get_by_role("button", name="Save collaborative").click()
    expect(page.get_by_role("heading", name="Sepsis")).to_be_visible()
    for network in ("Sepsis North", "Sepsis South"):
        page.get_by_role("link", name="Add a regional network").click()
        page.get_by_label("Network name").fill(network)
        page.get_by_role("button", name="Save network").click()
    for site, network in SITES:
        page.get_by_role("link", name="Add a site").click()
        page.get_by_label("Site name").fill(site)
        page.get_by_label("Regional network").select_option(label=network)
        page.get_by_role("button", name="Add site").click()
        expect(page.get_by_role("row", name=re.compile(site))).to_contain_text(network)
    assert serious_violations(page) == []


def invite_by_csv(page) -> None:
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("Paste the table").fill(
        "name,email,role,site\nSam Okafor,sam.okafor@example.org,site lead,Gamma Hospital\n")
    page.get_by_role("button", name="Check the table").click()
    expect(page.get_by_role("row", name=re.compile("Sam Okafor"))).to_contain_text(
        "Ready to invite")
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_text("Sent 1 invitation.")).to_be_visible()


def test_from_an_empty_database_to_a_first_cycle_on_the_dashboard(page, live_server, app):
    first_admin(page, live_server)
    collaborative_with_networks_and_sites(page)
    invite_by_csv(page)
    link = re.search(r"http://\S+(/auth/join/\S+)",
                     app.extensions["mail_outbox"][-1].get_content()).group(1)
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")  # the device is cleared before it signs out

    page.goto(f"{live_server}{link}")
    page.get_by_label("New password", exact=True).fill("a long new password")
    page.get_by_label("Repeat the new password").fill("a long new password")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.get_by_text("You joined as Site lead at Gamma Hospital")).to_be_visible()

    page.get_by_role("link", name="+ Log a test").click()
    page.get_by_label("Title").fill("Antibiotic grab bag in ED")
    page.get_by_label("What are we testing?").fill("A ready-made bag beside the triage desk")
    page.get_by_label("What do we predict will happen?").fill("4 of 5 patients dosed in 1 h")
    page.get_by_role("button", name="Save to Plan").click()
    expect(page.get_by_role("heading", name="Antibiotic grab bag in ED")).to_be_visible()

    page.goto(f"{live_server}/dashboard")
    open_cycles = page.get_by_role("region", name=re.compile("Your open cycles"))
    expect(open_cycles).to_contain_text("Antibiotic grab bag in ED")
    expect(open_cycles).to_contain_text("Plan:")
    expect(page.get_by_role("region", name=re.compile("Sepsis"))).to_contain_text(
        "Antibiotics within an hour")
    assert serious_violations(page) == []
