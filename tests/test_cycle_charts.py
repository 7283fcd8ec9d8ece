"""From a cycle to its charts, the run chart of a ramp, and learning from predictions."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests import factories as f
from tracker.cycles.calibration import calibrate, ramps_of
from tracker.cycles.ramp_chart import ramp_charts
from tracker.extensions import db
from tracker.models import CycleQuestion, Site, Stage

SVG = "{http://www.w3.org/2000/svg}"


class Q:
    def __init__(self, prediction="", held=None, p=None, r=None, question="", position=0):
        self.prediction, self.prediction_held = prediction, held
        self.prediction_value, self.result_value = p, r
        self.question, self.position = question, position


def test_calibration_figures():
    cal = calibrate([
        Q("60% will drink", True, 60, 55),
        Q("80% will eat", False, 80, 50),
        Q("Nobody will mind", True),
        Q("", None, 10, 14),  # numeric but never judged: counts for the distance only
        Q("Written but not judged", None),
    ])
    assert (cal.judged, cal.held, cal.numeric) == (3, 2, 3)
    assert cal.held_share == pytest.approx(2 / 3)
    assert cal.mean_abs == pytest.approx((5 + 30 + 4) / 3)
    assert cal.mean_signed == pytest.approx((5 + 30 - 4) / 3)
    assert cal.words() == [
        "2 of 3 predictions held (67%).",
        "Numeric predictions were 13 away from the results on average (mean absolute "
        "difference, n = 3); on balance predictions were higher than the results."]
    empty = calibrate([])
    assert empty.empty and empty.held_share is None and empty.mean_abs is None
    assert empty.words() == ["No prediction has been judged in Study yet."]


def make_ramp(app, world, site_id=None, *, title="Sip till send"):
    """Three linked cycles with numeric predictions and results on one question."""
    with app.app_context():
        site = db.session.get(Site, site_id or world.site_a)
        previous, ids = None, []
        pairs = [(40, 30, False), (50, 52, True), (60, 61, True)]
        for n, (p, r, held) in enumerate(pairs, 1):
            cycle = f.make_cycle(site, title=f"{title} {n}", author_id=world.member_a,
                                 previous_id=previous, stage=Stage.ACT)
            db.session.add(CycleQuestion(cycle_id=cycle.id, question="How many drink?",
                                         prediction=f"{p}%", prediction_value=p,
                                         result=f"{r}%", result_value=r, prediction_held=held))
            previous = cycle.id
            ids.append(cycle.id)
        db.session.commit()
        return ids


def test_ramps_of_groups_linked_cycles(app, world):
    ids = make_ramp(app, world)
    other = make_ramp(app, world, title="Chair by the bed")
    with app.app_context():
        from tracker.models import Cycle
        cycles = db.session.scalars(db.select(Cycle)).all()
        assert [[c.id for c in chain] for chain in ramps_of(cycles)] == [ids, other]


def test_ramp_page_draws_predictions_against_results(app, login, world):
    ids = make_ramp(app, world)
    html = login("member_b").get(f"/cycles/{ids[1]}/ramp").get_data(True)
    assert "2 of 3 predictions held (67%)." in html
    assert "(mean absolute difference, n = 3)" in html
    svg = ET.fromstring(re.search(r'(<svg[^>]*class="ramp-chart".*?</svg>)', html, re.S)[1])
    predicted = [r.find(f"{SVG}title").text for r in svg.iter(f"{SVG}rect")
                 if r.get("class") == "prediction"]
    results = [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")
               if c.get("class") == "result"]
    assert predicted == ["Cycle 1: predicted 40", "Cycle 2: predicted 50",
                         "Cycle 3: predicted 60"]
    assert results == ["Cycle 1: result 30", "Cycle 2: result 52", "Cycle 3: result 61"]
    # Higher values are drawn higher: 61 above 30.
    ys = [float(c.get("cy")) for c in svg.iter(f"{SVG}circle") if c.get("class") == "result"]
    assert ys[2] < ys[0]
    # Member B is not on site A's team: the per-site page is not offered.
    assert "/cycles/predictions" not in html


def test_ramp_charts_match_questions_by_their_words(app, world):
    ids = make_ramp(app, world)
    with app.app_context():
        from tracker.models import Cycle
        chain = [db.session.get(Cycle, i) for i in ids]
        charts = ramp_charts(chain)
        assert [c.question for c in charts] == ["How many drink?"]
        assert charts[0].rows == [(1, "Sip till send 1", 40, 30), (2, "Sip till send 2", 50, 52),
                                  (3, "Sip till send 3", 60, 61)]


def test_predictions_page_is_per_site_and_ramp_never_per_person(app, login, world,
                                                                 count_queries):
    ids = make_ramp(app, world)
    client = login("faculty")
    html = client.get(f"/cycles/predictions?site_id={world.site_a}").get_data(True)
    assert "2 of 3 predictions held (67%)." in html
    assert f'href="/cycles/{ids[0]}/ramp"' in html and "4.33 (n = 3)" in html
    assert "Amy Nurse" not in html  # the author of every cycle is never named
    with count_queries() as few:
        client.get(f"/cycles/predictions?site_id={world.site_a}")
    for n in range(3):
        make_ramp(app, world, title=f"Ramp {n}")
    with count_queries() as many:
        html = client.get(f"/cycles/predictions?site_id={world.site_a}").get_data(True)
    assert "Ramp 2 1" in html
    assert many.count == few.count
    assert login("member_b").get(
        f"/cycles/predictions?site_id={world.site_a}").status_code == 403
    # Linked from the site's page for its team and faculty only.
    link = f'href="/cycles/predictions?site_id={world.site_a}"'
    assert link in client.get(f"/sites/{world.site_a}").get_data(True)
    assert link in login("member_a").get(f"/sites/{world.site_a}").get_data(True)
    assert link not in login("member_b").get(f"/sites/{world.site_a}").get_data(True)


def linked_cycle(app, world, measures=1):
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        start = site_start = None
        linked = []
        for n in range(measures):
            m = f.make_measure(world.collaborative, name=f"Measure {n}", unit="%")
            rows = f.make_values(m, site, [(v, 100) for v in
                                           [50, 52, 48, 51, 49, 55, 60, 62, 61, 63]])
            linked.append(m)
            site_start = rows[5].period_start
        start = site_start + timedelta(days=2)
        cycle = f.make_cycle(site, title="Evening sit-out", do_started_on=start,
                             do_ended_on=start + timedelta(days=9), stage=Stage.STUDY)
        cycle.measures.extend(linked)
        db.session.commit()
        return cycle.id, [m.id for m in linked], site_start


def test_cycle_charts_shade_the_test_period_and_link_the_measure(app, login, world):
    cycle_id, measure_ids, week = linked_cycle(app, world)
    client = login("member_b")
    detail = client.get(f"/cycles/{cycle_id}").get_data(True)
    assert f'href="/measures/{measure_ids[0]}?site_id={world.site_a}">Measure 0</a>' in detail
    assert f'href="/cycles/{cycle_id}/charts"' in detail
    html = client.get(f"/cycles/{cycle_id}/charts").get_data(True)
    assert f'<a href="/measures/{measure_ids[0]}?site_id={world.site_a}">Measure 0</a>' in html
    svg = ET.fromstring(re.search(r'(<svg[^>]*chart-wide.*?</svg>)', html, re.S)[1])
    bands = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "test-band"]
    assert len(bands) == 1
    rect = bands[0].find(f"{SVG}rect")
    points = [c for c in svg.iter(f"{SVG}circle") if "point" in c.get("class", "")]
    # The test ran over weeks 6 and 7 (from a Wednesday for 9 days): the band covers both.
    left, width = float(rect.get("x")), float(rect.get("width"))
    assert left < float(points[5].get("cx")) < float(points[6].get("cx")) < left + width
    assert not left < float(points[7].get("cx")) < left + width
    assert not left < float(points[4].get("cx")) < left + width
    assert "Test period of “Evening sit-out”" in bands[0].find(f"{SVG}title").text


def test_cycle_charts_queries_do_not_grow_with_linked_measures(app, login, world,
                                                              count_queries):
    one, _, _ = linked_cycle(app, world, measures=1)
    three, _, _ = linked_cycle(app, world, measures=3)
    client = login("member_a")
    client.get(f"/cycles/{one}/charts")
    with count_queries() as few:
        client.get(f"/cycles/{one}/charts")
    with count_queries() as many:
        html = client.get(f"/cycles/{three}/charts").get_data(True)
    assert html.count('class="test-band"') == 6  # three charts, each drawn wide and narrow
    assert many.count == few.count
