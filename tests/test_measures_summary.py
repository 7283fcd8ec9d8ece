"""The chart in plain words: what the latest week shows, what the whole series shows, and the
rules and numbers behind both one click away."""

import re
from datetime import date, timedelta

from tests import factories as f
from tracker.extensions import db
from tracker.measures import front, periods, series, words
from tracker.models import Direction, Frequency, MeasureValue, Site

BASE = [50, 54, 46, 52, 48, 55, 45, 51, 49, 53, 47, 50, 52, 48]
SHIFT = [54, 55, 53, 56, 54, 55, 53, 54, 56, 55, 54, 53, 55, 54, 56, 55, 54]  # 17 weeks
BACK = [50, 48, 51, 47, 49]  # back to the usual: the latest week is common cause
# Four runs of five around the median 3.5: too few runs, and no shift or trend.
FEW_RUNS = [1, 2, 1, 2, 1, 6, 5, 6, 5, 6, 1, 2, 1, 2, 1, 6, 5, 6, 5, 6]
JARGON = ("common cause", "special cause", "non-random", "runs", "ucl", "lcl", " cl")
START = date(2026, 1, 5)


def chart_of(world, values, view="spc", **fields):
    fields = {"name": "DrEaMing", "definition": "x", "frequency": Frequency.WEEKLY,
              "direction": Direction.INCREASE, **fields}
    measure = f.make_measure(world.collaborative, **fields)
    points = [series.Point(START + timedelta(weeks=i), v, 100, v) for i, v in enumerate(values)]
    return series.build_chart(measure, points, [], view)


def label(i: int) -> str:
    return periods.label(START + timedelta(weeks=i), Frequency.WEEKLY)


def test_the_latest_week_and_the_whole_series_are_told_apart(app, world):
    """The issue's case: 'no significant change' beside '17 weeks above the mean… special cause
    improvement'. Each now says what it is about, in plain words."""
    with app.app_context():
        chart = chart_of(world, BASE + SHIFT + BACK, target=80.0)
        latest, whole, target = words.summary(chart)
        last = len(BASE + SHIFT + BACK) - 1
        assert latest == (f"Latest week ({label(last)}): 49% (49 of 100). No sign of change: "
                          "within the usual ups and downs.")
        assert whole == (f"Over the whole chart (36 weeks): a sign of real change, better than "
                         f"usual: 17 weeks in a row above the average, from {label(14)} to "
                         f"{label(30)}.")
        assert target.startswith("Target 80%: not met without a change")
        said = " ".join(words.summary(chart)).lower()
        assert not [w for w in JARGON if w in said]
        # The technical detail keeps the rule's own words.
        details = words.details(chart)
        assert (f"17 weeks above the mean since {label(14)}: special cause improvement "
                "(7 Points Above CL).") in details
        assert any("Making Data Count" in d for d in details)


def test_runs_analysis_in_plain_words_with_the_numbers_behind_it(app, world):
    with app.app_context():
        chart = chart_of(world, FEW_RUNS, view="run")
        whole = words.summary(chart)[1]
        assert whole == ("Over the whole chart (20 weeks): a sign of real change: the points "
                         "cross the median less often than chance would give, so they stay "
                         "on one side for longer than usual ups and downs explain.")
        assert "Too few runs (4; at least 7 expected): a non-random pattern." in words.details(
            chart)


def test_nothing_to_report_reads_plainly(app, world):
    with app.app_context():
        chart = chart_of(world, BASE)
        assert words.summary(chart)[1] == ("Over the whole chart (14 weeks): only the usual "
                                           "ups and downs, no sign of real change.")


def test_the_measure_page_shows_the_summary_and_keeps_the_detail_one_click_away(app, login,
                                                                               world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="x",
                                 frequency=Frequency.WEEKLY, target=80.0)
        f.make_values(measure, db.session.get(Site, world.site_a),
                      [(v, 100) for v in BASE + SHIFT + BACK])
        db.session.commit()
        measure_id = measure.id
    html = login("member_a").get(f"/measures/{measure_id}").get_data(True)
    summary = re.search(r'<ul class="chart-summary" id="chart-summary">(.*?)</ul>', html,
                        re.S).group(1)
    assert "No sign of change" in summary and "special cause" not in summary
    details = re.search(r'<details[^>]*id="chart-details"[^>]*>\s*<summary>([^<]*)</summary>'
                        r'(.*?)</details>', html, re.S)
    assert details and "7 Points Above CL" in details.group(2)
    # The badges say which point they are about.
    assert "Latest week: no sign of change" in html
    assert "Variation: Common cause variation" not in html


def test_the_latest_signal_for_reports_reads_plainly(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="x",
                                 frequency=Frequency.WEEKLY)
        rows = [MeasureValue(period_start=START + timedelta(weeks=i), numerator=v,
                             denominator=100, value=None, note="")
                for i, v in enumerate(BASE + SHIFT + BACK)]
        said = front.latest_signal(measure, rows, [])
        assert said == f"49% ({label(35)}): no sign of change"
        rows = rows[:31]  # the latest week is the last of the 17 above the average
        assert front.latest_signal(measure, rows, []) == (
            f"54% ({label(30)}): a sign of improvement (higher than usual)")
