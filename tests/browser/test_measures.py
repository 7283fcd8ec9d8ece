"""Measure pages in Chromium: enter a week and see the chart change; axe; phones; PNG."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories as f
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import Direction, Frequency, Site

pytestmark = pytest.mark.browser

SERIES = [50, 54, 46, 52, 48, 55, 45, 51, 49, 53, 47, 50, 52, 48, 54, 53, 55, 54, 53, 55]


def sign_in(page, base, email):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/dashboard")


@pytest.fixture
def measures(app, world) -> dict:
    """DrEaMing with 20 weeks at site A up to last week, its components and a balancing
    measure, and a linked cycle."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        dream = f.make_measure(world.collaborative, name="DrEaMing", target=80.0, unit="%",
                               definition="Drink, eat and mobilise within 24 h of surgery.",
                               frequency=Frequency.WEEKLY, direction=Direction.INCREASE)
        last_week = periods.recent_periods(Frequency.WEEKLY, 21)[-1]
        rows = f.make_values(dream, site, [(v, 100) for v in SERIES], start=last_week)
        for i, name in enumerate(("Drink", "Eat", "Mobilise")):
            f.make_measure(world.collaborative, name=name, composite_id=dream.id, position=i,
                           definition=f"{name} within 24 h.", frequency=Frequency.WEEKLY)
        ponv = f.make_measure(world.collaborative, name="PONV", balances_id=dream.id,
                              definition="Nausea or vomiting needing treatment.",
                              direction=Direction.DECREASE, frequency=Frequency.WEEKLY)
        f.make_values(ponv, site, [(v // 5, 100) for v in SERIES], start=last_week)
        cycle = f.make_cycle(site, title="Evening sit-out", do_started_on=rows[12].period_start)
        cycle.measures.append(dream)
        db.session.commit()
        return {"dream": dream.id, "ponv": ponv.id}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_enter_a_week_in_the_grid_and_see_the_chart_update(page, live_server, world,
                                                           measures):
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}?site_id={world.site_a}")
    points = page.locator("#chart-figure .chart-wide circle.point")
    assert points.count() == 20
    page.get_by_role("link", name="Enter data").click()
    page.wait_for_load_state("load")  # the grid's script listens for typing once loaded
    this_week = periods.label(periods.current_period(Frequency.WEEKLY), Frequency.WEEKLY)
    numerator = page.get_by_label(f"Numerator, {this_week}")
    numerator.fill("15")
    page.get_by_label(f"Denominator, {this_week}").fill("20")
    row = page.locator("tr.grid-row").first
    expect(row.locator("output")).to_have_text("75%")  # shown while typing
    numerator.press("Tab")
    page.get_by_role("button", name="Save data").click()
    page.wait_for_url(re.compile(r".*/measures/\d+\?site_id=\d+$"))
    expect(page.get_by_text("Saved: 1 week changed.")).to_be_visible()
    assert points.count() == 21
    last_point = page.locator("#chart-figure .chart-wide circle.point title").last
    assert last_point.text_content().startswith(f"{this_week}: 75% (15 of 20)")
    assert f"Latest week ({this_week}): 75% (15 of 20)." in page.locator(
        "#chart-summary").inner_text()


def test_a_bad_cell_shows_its_message_beside_it(page, live_server, world, measures):
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}/data?site_id={world.site_a}")
    this_week = periods.label(periods.current_period(Frequency.WEEKLY), Frequency.WEEKLY)
    page.get_by_label(f"Numerator, {this_week}").fill("25")
    page.get_by_label(f"Denominator, {this_week}").fill("20")
    page.get_by_role("button", name="Save data").click()
    numerator = page.get_by_label(f"Numerator, {this_week}")
    assert numerator.get_attribute("aria-invalid") == "true"
    error_id = numerator.get_attribute("aria-describedby")
    assert "more than the denominator" in page.locator(f"#{error_id}").inner_text()
    assert numerator.input_value() == "25"


def test_png_download_draws_the_chart(page, live_server, world, measures):
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}?site_id={world.site_a}")
    page.get_by_text("Download chart or data").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Chart picture (PNG)").click()
    download = info.value
    assert download.suggested_filename == "dreaming-alpha-hospital.png"
    with open(download.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


# Each chart text's size as drawn on the screen: its box height, and its font size times the
# drawing's scale (the SVG is drawn at its box's width over its viewBox's width).
CHART_TEXT_SIZES = """
    [...document.querySelectorAll('svg.measure-chart')]
      .filter((svg) => svg.getBoundingClientRect().width > 0)
      .flatMap((svg) => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')].map((t) => Math.min(
          t.getBoundingClientRect().height, parseFloat(getComputedStyle(t).fontSize) * scale));
      })
"""


def test_chart_text_reads_on_a_phone_and_comes_first(phone_page, live_server, world,
                                                     measures):
    page = phone_page
    sign_in(page, live_server, "lead.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}?site_id={world.site_a}")
    heights = page.evaluate(CHART_TEXT_SIZES)
    assert len(heights) >= 8  # axis labels and legend of the drawings shown (and related)
    assert min(heights) >= 11, heights
    assert page.locator("svg.chart-wide").is_hidden()
    assert page.locator("svg.chart-narrow circle.point").count() == 20
    # The chart sits above the definition and the buttons, within the first screen.
    chart_top = page.locator("#chart-figure").bounding_box()["y"]
    assert chart_top < page.locator(".measure-intro .measure-definition").bounding_box()["y"]
    assert chart_top < 300
    # The downloads are one menu, closed until asked for.
    assert page.get_by_role("link", name="All data (Excel)").is_hidden()
    page.get_by_text("Download chart or data").tap()
    expect(page.get_by_role("link", name="All data (Excel)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_wide_screens_keep_the_wide_chart(page, live_server, world, measures):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "lead.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}?site_id={world.site_a}")
    assert page.locator("svg.chart-narrow").is_hidden()
    assert min(page.evaluate(CHART_TEXT_SIZES)) >= 11
    assert (page.locator(".measure-intro .measure-definition").bounding_box()["y"]
            < page.locator("#chart-figure").bounding_box()["y"])


def test_ward_tally_on_a_phone(phone_page, live_server, world, measures):
    page = phone_page
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}/tally?site_id={world.site_a}")
    for question, answer in (("Drink?", "Yes"), ("Eat?", "No"), ("Mobilise?", "Yes")):
        page.get_by_role("group", name=question).get_by_text(answer, exact=True).tap()
    page.get_by_role("button", name="Add this patient").tap()
    expect(page.get_by_text("Patient added: 2 of 3 met.")).to_be_visible()
    assert "DrEaMing: 0 of 1" in page.locator(".tally-totals").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


PAGES = {
    "list": "/measures/",
    "detail": "/measures/{dream}?site_id={site}",
    "run chart": "/measures/{dream}?site_id={site}&view=run",
    "grid": "/measures/{dream}/data?site_id={site}",
    "tally": "/measures/{dream}/tally?site_id={site}",
    "all sites": "/measures/{dream}/sites",
    "import": "/measures/{dream}/import?site_id={site}",
    "edit": "/measures/{ponv}/edit",
}


@pytest.mark.parametrize("name", PAGES)
def test_measure_pages_pass_axe(page, live_server, world, measures, name):
    sign_in(page, live_server, "lead.a@example.org")
    who = "faculty@example.org" if name == "edit" else None
    if who:
        page.context.clear_cookies()
        sign_in(page, live_server, who)
    page.goto(live_server + PAGES[name].format(site=world.site_a, **measures))
    assert serious_violations(page) == []


def test_import_preview_passes_axe(page, live_server, world, measures, tmp_path):
    sign_in(page, live_server, "lead.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}/import?site_id={world.site_a}")
    weeks = periods.recent_periods(Frequency.WEEKLY, 3)
    data = tmp_path / "data.csv"
    data.write_text("Week,Numerator,Denominator\n" + "".join(
        f"{w.isoformat()},{n},10\n" for n, w in enumerate(weeks)) + "soon,x,10\n")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(data))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r".*/import/\d+$"))
    assert "Row 5: Period" in page.locator(".import-errors").inner_text()
    assert serious_violations(page) == []


@pytest.mark.parametrize("name", ["list", "detail", "grid", "tally", "all sites", "import"])
def test_measure_pages_do_not_scroll_sideways_on_a_phone(phone_page, live_server, world,
                                                         measures, name):
    sign_in(phone_page, live_server, "lead.a@example.org")
    phone_page.goto(live_server + PAGES[name].format(site=world.site_a, **measures))
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360


def test_upload_problems_appear_in_place_with_javascript(page, live_server, world, measures,
                                                         tmp_path):
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}/import?site_id={world.site_a}")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(empty))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#file-error")).to_have_text("The file is empty.")
    field = page.get_by_label("CSV or Excel (.xlsx) file")
    assert field.get_attribute("aria-describedby") == "file-error"
    # The page was updated in place (upload progress), and uploading again still works.
    weeks = periods.recent_periods(Frequency.WEEKLY, 2)
    good = tmp_path / "good.csv"
    good.write_text("Week,Numerator,Denominator\n" + "".join(
        f"{w.isoformat()},5,10\n" for w in weeks))
    field.set_input_files(str(good))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r".*/import/\d+$"))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r".*/measures/\d+\?site_id=\d+$"))
    expect(page.get_by_text("Imported 2 rows from good.csv: 2 periods changed.")).to_be_visible()


def test_every_grid_column_is_on_screen_on_a_phone(phone_page, live_server, world, measures):
    page = phone_page
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/measures/{measures['dream']}/data?site_id={world.site_a}")
    page.wait_for_load_state("load")
    this_week = periods.label(periods.current_period(Frequency.WEEKLY), Frequency.WEEKLY)
    numerator = page.get_by_label(f"Numerator, {this_week}")
    numerator.fill("6")
    page.get_by_label(f"Denominator, {this_week}").fill("8")
    note = page.get_by_label(f"Note, {this_week}")
    percent = page.locator("tr.grid-row").first.locator("output")
    expect(percent).to_have_text("75%")
    for cell in (numerator, note, percent):
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
