"""On the ward without signal: the quick log and the ward tally work offline, their entries
wait on the phone and are stored exactly once when the connection returns (also when a sync
is cut off after the server stored it); pages read recently open offline; a refused entry
comes back with its message; signing out leaves nothing on the device."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_measures import measures, serious_violations, sign_in  # noqa: F401
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import Cycle, Frequency, MeasureValueChange, TallyEntry, UsedKey

pytestmark = pytest.mark.browser


def worker_ready(page):
    """Wait until the service worker controls the page (it then saves the pages opened).
    A page whose load raced the worker's first activation stays uncontrolled: reload it."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
        page.reload()
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")


def quick_log(page, title):
    page.get_by_label("Title").fill(title)
    page.get_by_label("…or a new change idea").fill(f"{title} idea")
    page.get_by_label("What are we testing?").fill(f"Whether {title.lower()} helps")
    page.get_by_label("Scale: how many").fill("1")
    page.get_by_label("Scale: of what").fill("patient")
    page.get_by_role("button", name="Save to Plan").click()


def tally_patient(page):
    for question, answer in (("Drink?", "Yes"), ("Eat?", "No"), ("Mobilise?", "Yes")):
        page.get_by_role("group", name=question).get_by_text(answer, exact=True).click()
    page.get_by_role("button", name="Add this patient").click()


def stored(app) -> tuple[list[str], int, int]:
    with app.app_context():
        titles = sorted(db.session.scalars(db.select(Cycle.title).where(
            Cycle.title != "Evening sit-out")))  # the measures fixture's
        tallies = db.session.scalar(db.select(db.func.count(TallyEntry.id)))
        keys = db.session.scalar(db.select(db.func.count(UsedKey.id)))
        return titles, tallies, keys


def test_offline_entries_are_stored_once_when_the_connection_returns(page, app, live_server,
                                                                      world, measures):  # noqa: F811
    context = page.context
    quick_url = f"{live_server}/cycles/quick"
    tally_url = f"{live_server}/measures/{measures['dream']}/tally?site_id={world.site_a}"
    sign_in(page, live_server, "member.a@example.org")
    page.goto(quick_url)
    worker_ready(page)
    page.goto(tally_url)  # both forms now saved on the device
    page.goto(quick_url)

    context.set_offline(True)
    quick_log(page, "Chair by the bed")
    expect(page.locator("#outbox-status")).to_contain_text("Kept on this device")
    quick_log(page, "Day clothes rail")
    outbox = page.locator("#outbox-list")
    expect(outbox.locator("li")).to_have_count(2)
    expect(outbox).to_contain_text("Test of change: Day clothes rail")
    expect(outbox).to_contain_text("waiting to send")
    assert page.get_by_label("Title").input_value() == ""  # ready for the next test
    assert serious_violations(page) == []

    page.goto(tally_url)  # offline: from the device, marked as possibly out of date
    expect(page.get_by_role("status").filter(has_text="You are offline")).to_contain_text(
        "this page may be out of date (saved ")
    tally_patient(page)
    expect(page.locator("#outbox-list")).to_contain_text("Tallied patient")
    page.reload()  # still opens, and the entries are still waiting
    expect(page.locator("#outbox-list li")).to_have_count(3)
    expect(page.locator("#outbox-status")).to_have_text("3 waiting to send.")
    assert serious_violations(page) == []
    assert stored(app) == ([], 0, 0)

    # Back online, the first entry's response is lost after the server stored it.
    cut = []

    def lose_the_answer(route):
        if route.request.method == "POST" and not cut:
            cut.append(route.fetch())  # the server stores it...
            route.abort()  # ...and the phone never hears back
        else:
            route.continue_()

    context.route("**/cycles/quick", lose_the_answer)
    with page.expect_event("requestfailed") as failed:
        context.set_offline(False)  # the online event sends the outbox
    assert failed.value.method == "POST" and len(cut) == 1
    assert stored(app) == (["Chair by the bed"], 0, 1)
    expect(page.locator("#outbox-list li")).to_have_count(3)  # all still waiting

    page.reload()  # each page load sends what waits
    expect(page.locator("#outbox-status")).to_contain_text("Sent 3 saved entries.")
    assert stored(app) == (["Chair by the bed", "Day clothes rail"], 1, 3)
    page.reload()
    assert stored(app) == (["Chair by the bed", "Day clothes rail"], 1, 3)


def test_pages_read_recently_open_offline(page, live_server, world, measures):  # noqa: F811
    sign_in(page, live_server, "member.a@example.org")
    worker_ready(page)
    pages = [f"{live_server}/dashboard", f"{live_server}/cycles/",
             f"{live_server}/measures/"]
    for url in pages:
        page.goto(url)
    page.context.set_offline(True)
    for url, heading in zip(pages, ("Hello, Amy Nurse", "Cycles", "Measures"), strict=True):
        page.goto(url)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        expect(page.locator(".offline-banner")).to_contain_text(
            "You are offline — this page may be out of date (saved ")
    assert serious_violations(page) == []
    page.goto(f"{live_server}/ideas/")  # never opened here: the offline page
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert serious_violations(page) == []


def test_a_refused_entry_comes_back_and_a_stale_token_is_renewed(page, app, live_server,
                                                                  world):
    app.config["WTF_CSRF_ENABLED"] = True  # the app fixture restores it afterwards
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/cycles/quick")
    worker_ready(page)
    page.context.set_offline(True)
    quick_log(page, "Sit out by six")
    # Kept, and the form emptied for the next entry: typed sooner, the next title could be
    # wiped by that reset (seen on a busy machine).
    expect(page.locator("#outbox-status")).to_contain_text("Kept on this device")
    page.get_by_label("Title").fill("Water jug")
    page.get_by_label("What are we testing?").fill("Patient 943 476 5919 drank")
    page.get_by_label("Scale: how many").fill("1")
    page.get_by_label("Scale: of what").fill("patient")
    page.get_by_role("button", name="Save to Plan").click()
    expect(page.locator("#outbox-list li")).to_have_count(2)
    # The session's token changed while offline: the first try gets a 400, a fresh token.
    page.evaluate("document.querySelectorAll('input[name=csrf_token]')"
                  ".forEach((i) => { i.value = 'stale'; })")
    page.context.set_offline(False)
    refused = page.locator("#outbox-list li").filter(has_text="not saved")
    expect(refused).to_contain_text("Test of change: Water jug")
    expect(refused).to_contain_text("looks like an NHS number")
    expect(page.locator("#outbox-list li")).to_have_count(1)
    assert stored(app)[0] == ["Sit out by six"]
    assert serious_violations(page) == []

    refused.get_by_role("link", name="Fix it").click()  # back into the form, to correct
    expect(page.get_by_label("What are we testing?")).to_have_value("Patient 943 476 5919 drank")
    expect(page.locator("#outbox-list li")).to_have_count(0)
    page.get_by_label("What are we testing?").fill("Jug at every bed")
    page.get_by_role("button", name="Save to Plan").click()
    expect(page.get_by_text("Saved in Plan.")).to_be_visible()
    assert stored(app)[0] == ["Sit out by six", "Water jug"]


def test_signing_out_clears_the_device(page, live_server, world):
    sign_in(page, live_server, "member.a@example.org")
    worker_ready(page)
    page.goto(f"{live_server}/cycles/quick")
    page.goto(f"{live_server}/cycles/")
    page.context.set_offline(True)
    page.goto(f"{live_server}/cycles/quick")
    quick_log(page, "Left on the phone")
    expect(page.locator("#outbox-list li")).to_have_count(1)
    assert "pages-v1" in page.evaluate("caches.keys()")

    # Online, but the entry cannot get through: signing out warns before deleting it.
    page.context.route("**/cycles/quick", lambda route: route.abort()
                       if route.request.method == "POST" else route.continue_())
    page.context.set_offline(False)
    asked = []

    def no_then_yes(dialog):
        asked.append(dialog.message)
        dialog.accept() if len(asked) > 1 else dialog.dismiss()

    page.on("dialog", no_then_yes)
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#outbox-status")).to_contain_text("Not signed out: nothing was deleted.")
    assert asked == ["1 entry has not been sent. Signing out deletes it from this device. "
                     "Sign out anyway?"]
    expect(page.locator("#outbox-list li")).to_have_count(1)  # kept: they said no
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/auth/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    databases = page.evaluate("indexedDB.databases().then((all) => all.map((d) => d.name))")
    assert "pdsa-offline" not in databases
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations()"
                         ".then((all) => all.length)") == 0


def test_the_data_grid_saved_offline_is_stored_once(page, app, live_server, world,
                                                    measures):  # noqa: F811
    grid_url = f"{live_server}/measures/{measures['ponv']}/data?site_id={world.site_a}"
    sign_in(page, live_server, "member.a@example.org")
    worker_ready(page)
    page.goto(grid_url)
    this_week = periods.label(periods.current_period(Frequency.WEEKLY), Frequency.WEEKLY)
    page.context.set_offline(True)
    page.reload()  # opens from the device
    expect(page.locator(".offline-banner")).to_be_visible()
    page.get_by_label(f"Numerator, {this_week}").fill("2")
    page.get_by_label(f"Denominator, {this_week}").fill("50")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#outbox-list")).to_contain_text("Data for PONV")
    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_contain_text("Sent 1 saved entry.")
    with app.app_context():
        changes = db.session.execute(db.select(
            MeasureValueChange.new_numerator, MeasureValueChange.new_denominator).filter_by(
            measure_id=measures["ponv"], period_start=periods.current_period(
                Frequency.WEEKLY))).all()
    assert changes == [(2, 50)]
