"""A member signs in, sees the dashboard and signs out; the pages pass axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def sign_in(page, base, email="member.a@example.org"):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_see_dashboard_sign_out(page, live_server, world):
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.get_by_role("heading", name="Hello, Amy Nurse")).to_be_visible()
    expect(page.get_by_role("heading", name="Alpha Hospital")).to_be_visible()
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(f"{live_server}/dashboard")
    assert page.url.startswith(f"{live_server}/auth/login")


def test_wrong_password_message_sits_next_to_the_field(page, live_server, world):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email").fill("member.a@example.org")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    error = page.locator("#password-error")
    expect(error).to_have_text("Email or password is not right.")
    assert page.get_by_label("Password").get_attribute("aria-describedby") == "password-error"
    assert page.get_by_label("Email").input_value() == "member.a@example.org"


def test_phone_navigation_works_by_keyboard_and_touch(phone_page, live_server, world):
    sign_in(phone_page, live_server)
    phone_page.wait_for_url(f"{live_server}/dashboard")
    sites_link = phone_page.get_by_role("link", name="Sites")
    assert not sites_link.is_visible()  # collapsed behind the menu button on a phone
    # The first page installs the service worker: once it has taken the page over, not while
    # it does (a navigation then was seen lost once in CI on a busy machine).
    phone_page.evaluate("Promise.race([navigator.serviceWorker.ready,"
                        " new Promise((done) => setTimeout(done, 10000))])")
    phone_page.get_by_role("button", name="Show navigation").click()
    expect(sites_link).to_be_visible()
    with phone_page.expect_navigation(url=f"{live_server}/sites/"):
        sites_link.click()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # no sideways scrolling


@pytest.mark.parametrize("path,who", [
    ("/auth/login", None),
    ("/dashboard", "member.a@example.org"),
    ("/sites/", "member.a@example.org"),
    ("/sites/{site_a}", "lead.a@example.org"),
    ("/auth/profile", "member.a@example.org"),
])
def test_pages_have_no_serious_accessibility_violations(page, live_server, world, path, who):
    if who:
        sign_in(page, live_server, who)
        page.wait_for_url(f"{live_server}/dashboard")
    page.goto(live_server + path.format(site_a=world.site_a))
    assert serious_violations(page) == []
