"""Reporting periods with thresholds (CQUIN quarters): the maths, the page, the CSV, the gap."""

import csv
import io
from datetime import date, timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.measures import quarters
from tracker.models import AuditEvent, Frequency, ReportingPeriod, Site, SubmittedFigure

Q1 = (date(2026, 4, 1), date(2026, 6, 30))  # a Wednesday to a Tuesday
FIRST_MONDAY = date(2026, 4, 6)


class Row:
    def __init__(self, period_start, numerator, denominator, value=None):
        self.period_start, self.numerator, self.denominator = period_start, numerator, denominator
        self.value = value


def weeks(n, start=FIRST_MONDAY):
    return [start + timedelta(weeks=i) for i in range(n)]


def test_a_quarters_weeks_are_those_starting_within_it(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, frequency=Frequency.WEEKLY)
        got = quarters.periods_in(measure, *Q1)
        assert got[0] == FIRST_MONDAY  # the week of 30 March holds 1 April but starts before
        assert got[-1] == date(2026, 6, 29)  # starts on the 29th: in, though it ends in July
        assert len(got) == 13
        monthly = f.make_measure(world.collaborative, frequency=Frequency.MONTHLY)
        assert quarters.periods_in(monthly, *Q1) == [date(2026, m, 1) for m in (4, 5, 6)]
        assert quarters.periods_in(monthly, date(2026, 4, 2), Q1[1]) == [date(2026, 5, 1),
                                                                          date(2026, 6, 1)]


def test_met_not_met_and_data_missing(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, frequency=Frequency.WEEKLY)
        # 10 weeks reported, pooled 800 of 1000 = 80%: exactly the threshold is met.
        rows = [Row(w, 80, 100) for w in weeks(10)]
        r = quarters.site_quarter(measure, *Q1, 80, 10, rows)
        assert (r.expected, r.reported, r.percent, r.status) == (13, 10, 80, quarters.MET)
        # Pooled, not the mean of weekly percentages: 1/1 and 70/100 -> 71/101 = 70.3%.
        rows = [Row(w, 1, 1) for w in weeks(1)] + [Row(w, 70, 100) for w in weeks(9)[1:]]
        rows += [Row(FIRST_MONDAY + timedelta(weeks=9), 0, 1)]
        r = quarters.site_quarter(measure, *Q1, 75, 10, rows)
        assert r.percent == pytest.approx(100 * 561 / 802)
        assert r.status == quarters.NOT_MET
        # 9 reported weeks when 10 are needed: data missing, whatever the figure.
        rows = [Row(w, 100, 100) for w in weeks(9)]
        r = quarters.site_quarter(measure, *Q1, 80, 10, rows)
        assert r.status == quarters.MISSING and r.percent == 100
        # A zero denominator, and weeks outside the quarter, are not reported weeks.
        rows = [Row(w, 90, 100) for w in weeks(9)] + [Row(weeks(10)[-1], 0, 0),
                                                       Row(date(2026, 3, 30), 90, 100),
                                                       Row(date(2026, 7, 6), 90, 100)]
        r = quarters.site_quarter(measure, *Q1, 80, 10, rows)
        assert (r.reported, r.status) == (9, quarters.MISSING)


def test_gap_is_submitted_minus_own_in_points(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative)
        rows = [Row(w, 78, 100) for w in weeks(12)]
        r = quarters.site_quarter(measure, *Q1, 80, 10, rows, submitted=82.5)
        assert r.gap == pytest.approx(4.5)
        assert quarters.site_quarter(measure, *Q1, 80, 10, [], submitted=82.5).gap is None


def make_quarter(app, world, alpha, beta) -> dict:
    """A quarter of a core proportion; site A and site B with the weekly numerators given."""
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", unit="%",
                                 data_source="Theatre system", collected_by="Audit nurse")
        for site_id, values in ((world.site_a, alpha), (world.site_b, beta)):
            f.make_values(measure, db.session.get(Site, site_id),
                          [None if v is None else (v, 10) for v in values], start=FIRST_MONDAY)
        period = ReportingPeriod(collaborative_id=world.collaborative, measure_id=measure.id,
                                 name="CQUIN Q1 2026/27", starts_on=Q1[0], ends_on=Q1[1],
                                 threshold=80, min_periods=10)
        db.session.add(period)
        db.session.commit()
        return {"measure": measure.id, "period": period.id}


def test_the_page_and_csv_show_each_sites_result(app, login, world):
    q = make_quarter(app, world, [9] * 13, [7] * 8 + [None] * 5)
    client = login("faculty")
    html = client.get(f"/measures/reporting/{q['period']}").get_data(True)
    assert "13 of 13" in html and "90.0% (117 of 130)" in html and ">Met<" in html
    assert "8 of 13" in html and ">Data missing<" in html
    response = client.get(f"/measures/reporting/{q['period']}.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(True).lstrip("\ufeff"))))
    assert [(r["site"], r["periods_reported"], r["percent"], r["status"]) for r in rows] == [
        ("Alpha Hospital", "13", "90.0", "met"), ("Beta Hospital", "8", "70.0", "data missing")]
    assert rows[0]["first_day"] == "2026-04-01" and rows[0]["threshold_percent"] == "80"
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "export.reporting_period")).one()
        assert event.object_id == q["period"]


def test_the_site_team_enters_the_submitted_figure_and_the_gap_shows(app, login, world):
    q = make_quarter(app, world, [7] * 13, [])
    client = login("member_a")
    url = f"/measures/reporting/{q['period']}/submitted?site_id={world.site_a}"
    bad = client.post(url, data={f"s{world.site_a}-value": "120",
                                 f"s{world.site_a}-note": "CQUIN return"})
    assert bad.status_code == 400
    assert "between 0 and 100" in bad.get_data(True) and "CQUIN return" in bad.get_data(True)
    assert client.post(url, data={f"s{world.site_a}-value": "81",
                                  f"s{world.site_a}-note": "CQUIN return"}).status_code == 302
    html = client.get(f"/measures/reporting/{q['period']}").get_data(True)
    assert ">Not met<" in html and "81%" in html and "+11.0 points" in html
    # Someone else's site: refused, nothing saved.
    other = f"/measures/reporting/{q['period']}/submitted?site_id={world.site_b}"
    assert client.post(other, data={f"s{world.site_b}-value": "50"}).status_code == 403
    with app.app_context():
        assert [(s.site_id, s.value) for s in db.session.scalars(
            db.select(SubmittedFigure))] == [(world.site_a, 81)]


def test_faculty_add_a_reporting_period_for_a_proportion(app, login, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing")
        db.session.commit()
        mid = measure.id
    client = login("faculty")
    data = {"name": "CQUIN Q2 2026/27", "measure_id": str(mid), "starts_on": "2026-07-01",
            "ends_on": "2026-06-30", "threshold": "80", "min_periods": "10"}
    response = client.post(f"/measures/reporting?collaborative={world.collaborative}",
                           data=data)
    assert response.status_code == 400
    assert "on or after the first day" in response.get_data(True)
    data["ends_on"] = "2026-09-30"
    assert client.post(f"/measures/reporting?collaborative={world.collaborative}",
                       data=data).status_code == 302
    with app.app_context():
        period = db.session.scalars(db.select(ReportingPeriod)).one()
        assert (period.name, period.threshold, period.min_periods) == ("CQUIN Q2 2026/27",
                                                                        80, 10)


def test_quarter_page_queries_do_not_grow_with_sites(app, login, world, count_queries):
    q = make_quarter(app, world, [9] * 13, [8] * 13)
    client = login("faculty")
    client.get(f"/measures/reporting/{q['period']}")
    with count_queries() as few:
        client.get(f"/measures/reporting/{q['period']}")
    with app.app_context():
        from tracker.models import Measure
        measure = db.session.get(Measure, q["measure"])
        for i in range(4):
            site = f.make_site(db.session.get(Site, world.site_a).collaborative,
                               name=f"Extra {i}")
            f.make_values(measure, site, [9] * 13, start=FIRST_MONDAY)
            db.session.add(SubmittedFigure(reporting_period_id=q["period"], site_id=site.id,
                                           value=80))
        db.session.commit()
    with count_queries() as many:
        html = client.get(f"/measures/reporting/{q['period']}").get_data(True)
    assert "Extra 3" in html
    assert many.count == few.count
