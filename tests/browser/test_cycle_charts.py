"""From a cycle to its measures' charts on a 360 px phone, with the test period shaded; the
ramp's run chart, notes on a chart and a CQUIN quarter; axe clean."""

from datetime import timedelta

import pytest

from tests import factories as f
from tests.browser.test_measures import serious_violations, sign_in
from tracker.extensions import db
from tracker.measures import periods
from tracker.models import (
    ChartNote,
    CycleQuestion,
    Frequency,
    PointFlag,
    ReportingPeriod,
    Site,
    Stage,
)

pytestmark = pytest.mark.browser

SERIES = [50, 54, 46, 52, 48, 55, 45, 51, 49, 53, 47, 50, 52, 48, 54, 53, 55, 54, 53, 55]


@pytest.fixture
def cycle(app, world) -> dict:
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        dream = f.make_measure(world.collaborative, name="DrEaMing", target=80.0, unit="%",
                               definition="Drink, eat and mobilise within 24 h of surgery.",
                               frequency=Frequency.WEEKLY)
        first = periods.recent_periods(Frequency.WEEKLY, 21)[-1]
        rows = f.make_values(dream, site, [(v, 100) for v in SERIES], start=first)
        start = rows[12].period_start + timedelta(days=1)
        one = f.make_cycle(site, title="Evening sit-out 1", stage=Stage.ACT,
                           do_started_on=start - timedelta(weeks=3),
                           do_ended_on=start - timedelta(weeks=2))
        two = f.make_cycle(site, title="Evening sit-out 2", stage=Stage.STUDY,
                           do_started_on=start, do_ended_on=start + timedelta(days=10),
                           previous_id=one.id)
        for c, (p, r) in ((one, (40, 35)), (two, (55, 54))):
            c.measures.append(dream)
            db.session.add(CycleQuestion(cycle_id=c.id, question="How many sit out?",
                                         prediction=f"{p}%", prediction_value=p,
                                         result=f"{r}%", result_value=r,
                                         prediction_held=abs(p - r) < 3))
        db.session.add_all([
            ChartNote(measure_id=dream.id, site_id=site.id, on_date=rows[4].period_start,
                      text="New ward manager"),
            PointFlag(measure_id=dream.id, site_id=site.id, period_start=rows[6].period_start,
                      kind="excluded", reason="Audit week"),
            ReportingPeriod(collaborative_id=world.collaborative, measure_id=dream.id,
                            name="CQUIN Q1", starts_on=rows[0].period_start,
                            ends_on=rows[12].period_start, threshold=50, min_periods=10),
        ])
        db.session.commit()
        return {"cycle": two.id, "dream": dream.id}


def test_cycle_to_chart_on_a_phone(phone_page, live_server, world, cycle):
    page = phone_page
    sign_in(page, live_server, "member.a@example.org")
    page.goto(f"{live_server}/cycles/{cycle['cycle']}")
    page.get_by_role("link", name="See the charts with this test's period shaded").click()
    page.wait_for_url(f"{live_server}/cycles/{cycle['cycle']}/charts")
    band = page.locator(".chart-narrow .test-band rect")
    assert band.count() == 1 and band.is_visible()
    assert page.locator(".chart-narrow .chart-note").count() == 1
    assert page.locator(".chart-narrow circle.point.excluded").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    page.get_by_role("link", name="DrEaMing").click()
    page.wait_for_url(f"{live_server}/measures/{cycle['dream']}?site_id={world.site_a}")
    assert "New ward manager" in page.locator("#chart-notes").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []


def test_ramp_chart_and_quarter_on_a_phone(phone_page, live_server, world, cycle):
    page = phone_page
    sign_in(page, live_server, "lead.a@example.org")
    page.goto(f"{live_server}/cycles/{cycle['cycle']}/ramp")
    assert page.locator("svg.ramp-chart rect.prediction").count() == 2
    assert page.locator("svg.ramp-chart circle.result").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    page.get_by_role("link", name="All of Alpha Hospital's ramps").click()
    assert "1 of 2 predictions held" in page.locator("#site-calibration").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
    page.goto(f"{live_server}/measures/reporting")
    page.get_by_role("link", name="CQUIN Q1").click()
    assert "Alpha Hospital" in page.locator("#quarter-results").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(page) == []
