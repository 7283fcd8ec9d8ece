"""The measure page's chart: SVG, signals in words, cycles, phases, gaps, views, downloads."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.measures import charts, periods, series, words
from tracker.measures.front import load_chart
from tracker.models import (
    DataKind,
    Direction,
    Frequency,
    Measure,
    PhaseBreak,
    Site,
    Visibility,
)
from tracker.spc import PointType

SVG = "{http://www.w3.org/2000/svg}"
# 14 weeks around 50%, then 7 weeks just above the mean: an MDC shift, nothing else.
BASE = [50, 54, 46, 52, 48, 55, 45, 51, 49, 53, 47, 50, 52, 48]
SHIFT = [54, 53, 55, 54, 53, 55, 54]


def setup_measure(app, world, values=BASE + SHIFT, **overrides) -> dict:
    """A core weekly proportion at site A whose series ends in the current week."""
    with app.app_context():
        fields = {"name": "DrEaMing", "definition": "All three within 24 h of surgery.",
                  "unit": "%", "frequency": Frequency.WEEKLY, "direction": Direction.INCREASE,
                  "target": 80.0, **overrides}
        measure = f.make_measure(world.collaborative, **fields)
        site = db.session.get(Site, world.site_a)
        rows = f.make_values(measure, site, [None if v is None else (v, 100) for v in values])
        db.session.commit()
        return {"id": measure.id, "periods": [r.period_start for r in rows],
                "first": rows[0].period_start}


def svg_of(html: str) -> ET.Element:
    """The main chart's SVG element, parsed as XML (so it must be well-formed)."""
    match = re.search(r'<figure class="chart-figure[^>]*>\s*(<svg.*?</svg>)', html, re.S)
    assert match, "no chart on the page"
    return ET.fromstring(match.group(1))


def test_chart_svg_is_well_formed_and_shows_the_shift_and_a_linked_cycle(app, login, world):
    m = setup_measure(app, world)
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        cycle = f.make_cycle(site, title="Evening sit-out", do_started_on=m["periods"][14])
        cycle.measures.append(db.session.get(Measure, m["id"]))
        db.session.commit()
        cycle_id = cycle.id
    html = login("member_a").get(f"/measures/{m['id']}?site_id={world.site_a}").get_data(True)
    svg = svg_of(html)
    assert svg.get("role") == "group"  # it holds links, so it cannot be an image
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    shift_start = periods.label(m["periods"][14], Frequency.WEEKLY)
    assert f"{shift_start}: 54% (54 of 100) — 7 Points Above CL" in titles
    # Improvement-blue points for the seven signals, grey for the rest.
    fills = [c.get("fill") for c in svg.iter(f"{SVG}circle") if "point" in c.get("class", "")]
    assert fills.count(charts.COLOURS[PointType.IMPROVEMENT]) == 7
    assert fills.count(charts.COLOURS[PointType.COMMON_CAUSE]) == 14
    # The cycle: a numbered marker linking to the cycle, and the same in the list below.
    links = [a for a in svg.iter(f"{SVG}a") if a.get("href") == f"/cycles/{cycle_id}"]
    assert len(links) == 1 and "Evening sit-out" in "".join(links[0].itertext())
    assert f'<a href="/cycles/{cycle_id}">Evening sit-out</a>' in html
    # The text alternative says it in words.
    assert (f"7 weeks above the mean since {shift_start}: special cause improvement (7 Points "
            "Above CL)." in html)
    assert "Latest week: a sign of improvement (higher than usual)" in html
    assert "Target: not met without a change" in html  # 80% is above the upper limit
    assert f'id="row-{m["periods"][14].isoformat()}"' in html


def test_standalone_svg_download_is_xml_with_the_same_chart(app, login, world):
    m = setup_measure(app, world)
    response = login("member_a").get(f"/measures/{m['id']}/chart.svg?site_id={world.site_a}")
    assert response.mimetype == "image/svg+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('.svg"')
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    assert len([c for c in root.iter(f"{SVG}circle") if "point" in c.get("class", "")]) == 21


def test_chart_csv_has_lines_and_signals(app, login, world):
    m = setup_measure(app, world)
    response = login("member_a").get(f"/measures/{m['id']}/chart.csv?site_id={world.site_a}")
    rows = list(csv.DictReader(io.StringIO(response.get_data(True).lstrip("\ufeff"))))
    assert len(rows) == 21
    assert rows[0]["period_start"] == m["first"].isoformat()
    assert rows[-1]["signal"] == "7 Points Above CL"
    assert rows[-1]["point_type"] == "special_cause_improvement"
    assert float(rows[0]["centre"]) == pytest.approx(sum(BASE + SHIFT) / 21)
    assert float(rows[0]["upper_limit"]) > float(rows[0]["centre"])


def test_gaps_are_missing_periods_on_the_weekly_grid(app, login, world):
    m = setup_measure(app, world, values=[50, 52, None, None, 51, 49, 53])
    html = login("member_a").get(f"/measures/{m['id']}?site_id={world.site_a}").get_data(True)
    svg = svg_of(html)
    data_lines = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "data-line"]
    assert len(data_lines) == 2  # the line breaks at the gap
    assert html.count(">no data<") == 2
    assert "2 weeks without data" in html


def test_run_chart_switch_uses_the_median_and_ihi_rules(app, login, world):
    m = setup_measure(app, world)
    client = login("member_a")
    spc_html = client.get(f"/measures/{m['id']}?site_id={world.site_a}").get_data(True)
    run_html = client.get(f"/measures/{m['id']}?site_id={world.site_a}&view=run").get_data(True)
    assert "XmR (individuals) chart" in spc_html and "Making Data Count rules" in spc_html
    assert "Run chart" in run_html and "IHI run chart rules" in run_html
    assert 'aria-current="page">Run chart</a>' in run_html
    assert "above the median since" in run_html  # IHI shift: 6 or more above the median


def test_chart_type_and_rules_come_from_the_measure(app, login, world):
    m = setup_measure(app, world, chart_type="p")
    html = login("member_a").get(f"/measures/{m['id']}?site_id={world.site_a}").get_data(True)
    assert "p chart" in html and "Anhøj rules (qicharts2)" in html
    with app.app_context():
        measure = db.session.get(Measure, m["id"])
        assert series.chart_for_view(measure, "spc") == (series.ChartType.P,
                                                          series.RuleSet.ANHOEJ)
        measure.chart_type, measure.rule_set = "run", "anhoej"
        assert series.default_view(measure) == "run"
        assert series.chart_for_view(measure, "run") == (series.ChartType.RUN,
                                                          series.RuleSet.ANHOEJ)
        measure.chart_type, measure.rule_set = "c", None  # not for proportions: default
        assert series.chart_for_view(measure, "spc") == (series.ChartType.XMR,
                                                          series.RuleSet.MDC)


def test_phase_breaks_split_the_chart(app, login, world):
    m = setup_measure(app, world)
    with app.app_context():
        db.session.add(PhaseBreak(measure_id=m["id"], site_id=world.site_a,
                                  period_start=m["periods"][14], note="Adopted sit-out"))
        db.session.commit()
    html = login("member_a").get(f"/measures/{m['id']}?site_id={world.site_a}").get_data(True)
    svg = svg_of(html)
    assert [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g")
            if g.get("class") == "phase-break"] == [
        f"Phase 2 from {periods.label(m['periods'][14], Frequency.WEEKLY)}"]
    assert "Adopted sit-out" in html
    # Two phases, each with its own mean: the shift is no longer a signal.
    assert "7 Points Above CL" not in html


def test_draft_cycles_of_another_site_are_not_annotated(app, login, world):
    m = setup_measure(app, world)
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        measure = db.session.get(Measure, m["id"])
        draft = f.make_cycle(site, title="Secret draft", do_started_on=m["periods"][3],
                             visibility=Visibility.SITE)
        draft.measures.append(measure)
        db.session.commit()
    url = f"/measures/{m['id']}?site_id={world.site_a}"
    assert "Secret draft" in login("member_a").get(url).get_data(True)
    assert "Secret draft" not in login("member_b").get(url).get_data(True)


def test_balancing_and_component_measures_are_shown_with_it(app, login, world):
    m = setup_measure(app, world)
    with app.app_context():
        f.make_measure(world.collaborative, name="PONV", balances_id=m["id"],
                       definition="Nausea needing treatment.", direction=Direction.DECREASE)
        f.make_measure(world.collaborative, name="Drink within 24 h", composite_id=m["id"],
                       definition="Drank within 24 h.")
        db.session.commit()
    html = login("member_a").get(f"/measures/{m['id']}").get_data(True)
    section = html[html.index("Shown with this measure"):]
    assert "PONV" in section and "Balancing" in section and "Nausea needing treatment." in section
    assert "Drink within 24 h" in section and "Component" in section


def test_the_page_costs_the_same_queries_with_1_or_6_related_charts(app, login, world,
                                                                     count_queries):
    m = setup_measure(app, world)
    url = f"/measures/{m['id']}?site_id={world.site_a}"

    def add_related(n: int, start: int) -> None:
        with app.app_context():
            site = db.session.get(Site, world.site_a)
            for i in range(start, start + n):
                link = {"balances_id": m["id"]} if i % 2 else {"composite_id": m["id"]}
                related = f.make_measure(world.collaborative, name=f"Related {i}",
                                         frequency=Frequency.WEEKLY, **link)
                f.make_values(related, site, [(10 + i + w % 3, 100) for w in range(8)])
            db.session.commit()

    add_related(1, 0)
    client = login("member_a")
    client.get(url)
    app.extensions["memos"]["measure_pages"].clear()  # made afresh, as after the writes
    with count_queries() as few:
        client.get(url)
    add_related(5, 1)
    with count_queries() as many:
        html = client.get(url).get_data(True)
    assert many.count == few.count <= 12
    section = html[html.index("Shown with this measure"):]
    assert all(f"Related {i}" in section for i in range(6))
    assert section.count("<svg") >= 6  # each related measure still gets its chart


def test_count_and_continuous_measures_chart_their_values(app, login, world):
    with app.app_context():
        falls = f.make_measure(world.collaborative, name="Falls", data_kind=DataKind.COUNT,
                               unit="falls", definition="Falls on the ward.",
                               direction=Direction.DECREASE)
        f.make_values(falls, db.session.get(Site, world.site_a), [2, 0, 1, 3, 1, 0, 2])
        db.session.commit()
        falls_id = falls.id
    html = login("member_a").get(f"/measures/{falls_id}").get_data(True)
    assert "3 falls" in html and "Numerator" not in html


def test_summary_words_for_single_points_and_notes(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, definition="x", frequency=Frequency.WEEKLY,
                                 baseline_periods=12)
        start = date(2026, 1, 5)
        values = [50, 52, 49, 51, 50, 48, 52, 50, 49, 51, 50, 52, 90]
        pts = [series.Point(start + timedelta(weeks=i), v, 100, v) for i, v in enumerate(values)]
        chart = series.build_chart(measure, pts, [], "spc")
        summary = words.summary(chart)
        assert summary[0] == ("Latest week (30 Mar 2026): 90% (90 of 100). A sign of "
                              "improvement: far above the usual range.")
        assert summary[1] == ("Over the whole chart (13 weeks): a sign of real change, better "
                              "than usual: the week of 30 Mar 2026, far above the usual range.")
        assert ("30 Mar 2026: above the upper limit: special cause improvement (Above UCL)."
                in words.details(chart))
        assert words.notes(chart) == []
        measure.baseline_periods = None
        short = series.build_chart(measure, pts[:8], [], "spc")
        assert any("trial limits" in n for n in words.notes(short))


def test_no_data_yet(app, login, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, definition="Nothing yet.")
        db.session.commit()
        measure_id = measure.id
    html = login("member_a").get(f"/measures/{measure_id}").get_data(True)
    assert "No data yet" in html
    svg_of(html)  # still a well-formed chart


def test_the_page_carries_a_phone_drawing_with_fewer_labels_and_bigger_marks(app, login,
                                                                             world):
    m = setup_measure(app, world)
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        cycle = f.make_cycle(site, title="Evening sit-out", do_started_on=m["periods"][14])
        cycle.measures.append(db.session.get(Measure, m["id"]))
        db.session.commit()
    html = login("member_a").get(f"/measures/{m['id']}?site_id={world.site_a}").get_data(True)
    wide, narrow = (ET.fromstring(s) for s in re.findall(
        r'(<svg[^>]*class="measure-chart chart-(?:wide|narrow)".*?</svg>)', html, re.S))
    assert wide.get("viewBox") == "0 0 800 400"
    assert narrow.get("viewBox").startswith("0 0 360 ")
    assert int(narrow.get("font-size")) > int(wide.get("font-size"))

    def x_labels(svg):
        return [t for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"
                and t.text and "20" in t.text]
    assert 2 <= len(x_labels(narrow)) < len(x_labels(wide))
    radius = [float(c.get("r")) for c in narrow.iter(f"{SVG}circle") if "point" in c.get(
        "class", "")]
    wide_radius = [float(c.get("r")) for c in wide.iter(f"{SVG}circle") if "point" in c.get(
        "class", "")]
    assert len(radius) == len(wide_radius) == 21 and min(radius) > min(wide_radius)
    # The legend wraps inside the phone's drawing instead of running off its right edge.
    legend = next(g for g in narrow.iter(f"{SVG}g") if g.get("class") == "legend")
    rows = {g.get("transform").split(",")[1] for g in legend if g.tag == f"{SVG}g"}
    assert len(rows) == 2
    assert narrow.find(f"{SVG}g[@class='cycle-annotation']") is not None


def test_narrow_legend_stays_within_the_plot_width(app, world):
    m = setup_measure(app, world)
    with app.app_context():
        measure = db.session.get(Measure, m["id"])
        chart = load_chart(measure, db.session.get(Site, world.site_a), "spc")
        g = charts.layout(chart, title="t", narrow=True)
    assert len(g.legend) >= 4
    for x, y, _kind, _colour, text in g.legend:
        assert x + 22 + 0.6 * g.font_size * len(text) <= g.right - g.left
        assert g.legend_y + y + 4 <= g.height  # every row inside the drawing
