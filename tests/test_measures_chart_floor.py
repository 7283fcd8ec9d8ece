"""Charts of measures that cannot go below 0: limits and axes stop at 0 when drawn (the table
and the CSV keep the computed limits), and units read right for 1."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.measures import charts, series, words
from tracker.models import DataKind, Direction, Frequency, Site

SVG = "{http://www.w3.org/2000/svg}"
FALLS = [2, 0, 1, 3, 1, 0, 2, 1, 0, 1, 2, 1]  # a mean near 1: the lower limit is below 0


def chart_of(app, world, values, **fields):
    """A chart of a weekly measure (a count of falls unless said otherwise), in memory."""
    fields = {"name": "Falls", "data_kind": DataKind.COUNT, "unit": "falls",
              "direction": Direction.DECREASE, "frequency": Frequency.WEEKLY, **fields}
    measure = f.make_measure(world.collaborative, definition="x", **fields)
    start = date(2026, 1, 5)
    points = [series.Point(start + timedelta(weeks=i), value=v) for i, v in enumerate(values)]
    return series.build_chart(measure, points, [], "spc")


def heights(path: str) -> list[float]:
    """The y of every level in a path of steps ("M x,y H x V y H x ...")."""
    return [float(a or b) for a, b in re.findall(r"M[-\d.]+,([-\d.]+)|V([-\d.]+)", path)]


def test_a_count_is_drawn_from_0_and_its_negative_limit_at_0(app, world):
    with app.app_context():
        chart = chart_of(app, world, FALLS)
        lower = chart.result.lower[0]
        assert lower < 0  # the maths never floors (tracker/spc/SPEC.md §3.1)
        g = charts.layout(chart, title="Falls")
        assert g.y_ticks[0][1] == "0" and all(not t.startswith("-") for _, t in g.y_ticks)
        # The lower limit is drawn along the x-axis (0), not below it or left out.
        ys = heights(g.limits)
        assert max(ys) == pytest.approx(g.bottom)
        # The table keeps the computed limit; a note says why the chart shows 0.
        assert words.table_rows(chart)[0].limits.startswith(words.format_value(
            chart.measure, lower))
        assert any("draws it at 0" in n and words.format_value(chart.measure, lower) in n
                   for n in words.notes(chart))


def test_a_signed_continuous_measure_keeps_its_negative_axis(app, world):
    with app.app_context():
        balance = chart_of(app, world, [v - 1.5 for v in FALLS], name="Fluid balance",
                           data_kind=DataKind.CONTINUOUS, unit="litres")
        assert charts.y_range([balance])[0] < 0
        # Values never below 0, with a unit that can be: treated as unable to go below 0.
        wait = chart_of(app, world, [v * 10 for v in FALLS], name="Wait",
                        data_kind=DataKind.CONTINUOUS, unit="minutes")
        assert wait.result.lower[0] < 0 and charts.y_range([wait])[0] == 0
        change = chart_of(app, world, [v * 10 for v in FALLS], name="Weight change",
                          data_kind=DataKind.CONTINUOUS, unit="kg change")
        assert charts.y_range([change])[0] < 0


def test_a_percentage_limit_above_100_is_drawn_at_100(app, world):
    with app.app_context():
        chart = chart_of(app, world, [97, 100, 90, 100, 96, 100, 92, 100],
                         data_kind=DataKind.PROPORTION, unit="%")
        assert chart.result.upper[0] > 100
        g = charts.layout(chart, title="x")
        assert min(heights(g.limits)) == pytest.approx(g.top)


def test_y_range_copes_with_a_percentage_without_data_and_a_target_above_100(app, world):
    with app.app_context():
        empty = chart_of(app, world, [], data_kind=DataKind.PROPORTION, unit="%", target=120.0)
        low, high = charts.y_range([empty])
        assert 0 <= low < high <= 100
        zeros = chart_of(app, world, [0, 0, 0])
        assert charts.y_range([zeros]) == (0, 1)


@pytest.mark.parametrize("unit,value,shown", [
    ("falls", 1, "1 fall"), ("falls", 1.0, "1 fall"), ("falls", 2, "2 falls"),
    ("falls", 0, "0 falls"), ("falls", 1.5, "1.5 falls"), ("minutes", 1, "1 minute"),
    ("days in hospital", 1, "1 day in hospital"), ("injuries", 1, "1 injury"),
    ("mmHg", 1, "1 mmHg"), ("patches", 1, "1 patch"), ("cases", 1, "1 case"),
    ("breaths/min", 1, "1 breath/min"), ("", 1, "1"),
])
def test_units_read_right_for_one(app, world, unit, value, shown):
    with app.app_context():
        measure = f.make_measure(world.collaborative, data_kind=DataKind.COUNT, unit=unit)
        assert words.format_value(measure, value) == shown


def test_the_falls_page_draws_from_0_and_the_csv_keeps_the_limit(app, login, world):
    with app.app_context():
        falls = f.make_measure(world.collaborative, name="Falls", data_kind=DataKind.COUNT,
                               unit="falls", definition="Falls on the ward.",
                               direction=Direction.DECREASE)
        f.make_values(falls, db.session.get(Site, world.site_a), FALLS)
        db.session.commit()
        falls_id = falls.id
    client = login("member_a")
    html = client.get(f"/measures/{falls_id}").get_data(True)
    svg = ET.fromstring(re.search(r'<figure class="chart-figure[^>]*>\s*(<svg.*?</svg>)', html,
                                  re.S).group(1))
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert not any(t.startswith("-") for t in ticks if t)
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert any(t.endswith(": 1 fall") for t in titles)
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/measures/{falls_id}/chart.csv?site_id={world.site_a}").get_data(True).lstrip(
        "\ufeff"))))
    assert float(rows[0]["lower_limit"]) < 0
