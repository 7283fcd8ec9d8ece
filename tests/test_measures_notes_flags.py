"""Annotations on a chart, excluded and astronomical points, and the chart types offered."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests import factories as f
from tracker import spc
from tracker.extensions import db
from tracker.measures import series
from tracker.measures.front import load_chart
from tracker.models import (
    AuditEvent,
    ChartNote,
    DataKind,
    Frequency,
    Measure,
    PointFlag,
    Site,
)

SVG = "{http://www.w3.org/2000/svg}"
# Twelve weeks around 50 with one wild week (index 5): excluding it narrows the limits.
VALUES = [50, 52, 48, 51, 49, 90, 50, 53, 47, 51, 49, 50]
NHS_NUMBER = "943 476 5919"  # a valid NHS number (modulus 11)


def setup(app, world, values=VALUES, **overrides) -> dict:
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", unit="%",
                                 frequency=Frequency.WEEKLY, **overrides)
        site = db.session.get(Site, world.site_a)
        rows = f.make_values(measure, site, [(v, 100) for v in values])
        db.session.commit()
        return {"id": measure.id, "periods": [r.period_start for r in rows]}


def svg_of(html: str) -> ET.Element:
    match = re.search(r'<figure class="chart-figure[^>]*>\s*(<svg.*?</svg>)', html, re.S)
    assert match, "no chart on the page"
    return ET.fromstring(match.group(1))


def url(m, world, extra=""):
    return f"/measures/{m['id']}?site_id={world.site_a}{extra}"


def test_a_note_is_drawn_on_the_svg_listed_under_it_and_removed_softly(app, login, world):
    m = setup(app, world)
    client = login("member_a")
    day = m["periods"][4]
    response = client.post(f"/measures/{m['id']}/notes?site_id={world.site_a}",
                           data={"on_date": day.isoformat(), "text": "New ward manager"})
    assert response.status_code == 302
    html = client.get(url(m, world)).get_data(True)
    svg = svg_of(html)
    notes = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-note"]
    assert len(notes) == 1
    title = notes[0].find(f"{SVG}title").text
    assert title == f"Note A ({day:%-d %b %Y}): New ward manager"
    # Drawn at the period's x: the same x as that week's point.
    diamond = notes[0].find(f"{SVG}path").get("d")
    points = [c for c in svg.iter(f"{SVG}circle") if "point" in c.get("class", "")]
    assert diamond.startswith(f"M{points[4].get('cx')},")
    assert "<strong>A</strong> · " in html and "New ward manager" in html
    with app.app_context():
        note = db.session.scalars(db.select(ChartNote)).one()
        note_id = note.id
    assert client.post(f"/measures/{m['id']}/notes/{note_id}/remove").status_code == 302
    html = client.get(url(m, world)).get_data(True)
    assert "New ward manager" not in html
    with app.app_context():
        note = db.session.get(ChartNote, note_id)
        assert note.deleted_at is not None and note.deleted_by_id == world.member_a
        actions = db.session.scalars(db.select(AuditEvent.action)).all()
        assert {"measure.note_added", "measure.note_removed"} <= set(actions)


def test_a_note_with_an_nhs_number_is_refused_and_keeps_what_was_typed(app, login, world):
    m = setup(app, world)
    client = login("member_a")
    day = m["periods"][2].isoformat()
    response = client.post(f"/measures/{m['id']}/notes?site_id={world.site_a}",
                           data={"on_date": day, "text": f"Patient {NHS_NUMBER} fell"})
    assert response.status_code == 400
    html = response.get_data(True)
    assert "NHS number" in html and f"Patient {NHS_NUMBER} fell" in html
    assert f'value="{day}"' in html
    with app.app_context():
        assert db.session.scalars(db.select(ChartNote)).all() == []


def test_excluding_a_point_changes_the_limits_as_the_spec_says(app, login, world):
    m = setup(app, world)
    client = login("lead_a")
    before = client.get(f"/measures/{m['id']}/chart.csv?site_id={world.site_a}").get_data(True)
    wild = m["periods"][5]
    response = client.post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                           data={"period": wild.isoformat(), "kind": "excluded",
                                 "reason": "Audit week: only day cases counted"})
    assert response.status_code == 302
    with app.app_context():
        measure = db.session.get(Measure, m["id"])
        chart = load_chart(measure, db.session.get(Site, world.site_a), "spc")
        # The MDC XmR chart with point 6 left out of the mean and moving ranges (SPEC §7).
        expected = spc.xmr_chart(VALUES, rules="mdc", exclude=[5])
        plain = spc.xmr_chart(VALUES, rules="mdc")
        assert chart.excluded == (5,)
        assert chart.result.centre[0] == pytest.approx(expected.centre[0])
        assert chart.result.upper[0] == pytest.approx(expected.upper[0])
        others = [v for i, v in enumerate(VALUES) if i != 5]
        assert expected.centre[0] == pytest.approx(sum(others) / len(others))
        assert expected.upper[0] < plain.upper[0]  # the wild week no longer widens them
        # Still plotted and tested: now far above the narrower upper limit.
        assert chart.result.labels[5] is spc.Label.ABOVE_UCL
    after = client.get(f"/measures/{m['id']}/chart.csv?site_id={world.site_a}").get_data(True)
    assert before != after
    html = client.get(url(m, world)).get_data(True)
    ring = [c for c in svg_of(html).iter(f"{SVG}circle") if "excluded" in c.get("class", "")]
    assert len(ring) == 1 and ring[0].get("fill") == "#ffffff"
    assert "excluded from the centre and limits" in ring[0].find(f"{SVG}title").text
    assert "Audit week: only day cases counted" in html


def test_clearing_a_mark_keeps_it_in_the_history_and_the_audit(app, login, world):
    m = setup(app, world)
    client = login("lead_a")
    period = m["periods"][5].isoformat()
    client.post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                data={"period": period, "kind": "excluded", "reason": "Audit week"})
    client.post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                data={"period": period, "kind": "clear", "reason": ""})
    with app.app_context():
        flags = db.session.scalars(db.select(PointFlag)).all()
        assert len(flags) == 1 and flags[0].deleted_at is not None
        measure = db.session.get(Measure, m["id"])
        assert load_chart(measure, db.session.get(Site, world.site_a), "spc").excluded == ()
        actions = db.session.scalars(db.select(AuditEvent.action)).all()
        assert {"measure.point_flagged", "measure.point_unflagged"} <= set(actions)
    html = client.get(url(m, world)).get_data(True)
    assert "History of marks (1)" in html and "marked excluded (Audit week), cleared" in html


def test_a_mark_needs_a_reason_and_a_site_lead(app, login, world):
    m = setup(app, world)
    data = {"period": m["periods"][5].isoformat(), "kind": "excluded", "reason": ""}
    response = login("lead_a").post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                                    data=data)
    assert response.status_code == 400 and "Say why the point is marked." in response.get_data(True)
    data["reason"] = "Audit week"
    assert login("member_a").post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                                  data=data).status_code == 403
    with app.app_context():
        assert db.session.scalars(db.select(PointFlag)).all() == []


def test_an_astronomical_point_is_a_signal_on_the_ihi_run_chart_only(app, login, world):
    m = setup(app, world, values=[50, 52, 48, 51, 49, 60, 50, 53, 47, 51, 49, 50])
    client = login("lead_a")
    client.post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                data={"period": m["periods"][5].isoformat(), "kind": "astronomical",
                      "reason": "Bed crisis"})
    with app.app_context():
        measure = db.session.get(Measure, m["id"])
        site = db.session.get(Site, world.site_a)
        run = load_chart(measure, site, "run")
        assert run.result.labels[5] is spc.Label.ASTRONOMICAL_ABOVE
        assert run.result.special_cause[5]
        xmr = load_chart(measure, site, "spc")  # MDC has no such rule: shown, not computed
        assert xmr.astronomical == (5,) and xmr.result.labels[5] is spc.Label.COMMON_CAUSE


@pytest.mark.parametrize("kind,offered,refused", [
    (DataKind.PROPORTION, ["xmr", "run", "p", "pp", "u", "up"], ["c", "g", "t"]),
    (DataKind.COUNT, ["xmr", "run", "c", "g"], ["p", "u", "t"]),
    (DataKind.CONTINUOUS, ["xmr", "run", "t"], ["p", "u", "c", "g"]),
])
def test_chart_types_are_offered_where_the_data_fit(app, login, world, kind, offered,
                                                    refused):
    values = VALUES if kind is DataKind.PROPORTION else None
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="Measure", data_kind=kind,
                                 unit="%" if values else "")
        site = db.session.get(Site, world.site_a)
        f.make_values(measure, site, [(v, 100) for v in VALUES] if values else
                      [3, 5, 2, 6, 4, 5, 3, 4, 6, 2, 5, 4])
        db.session.commit()
        mid = measure.id
    client = login("member_a")
    html = client.get(f"/measures/{mid}?site_id={world.site_a}").get_data(True)
    options = re.findall(r'<option value="(\w+)"', html.split('id="chart-type"')[1]
                         .split("</select>")[0])
    assert options == offered
    for chart in offered:
        page = client.get(f"/measures/{mid}?site_id={world.site_a}&chart={chart}")
        assert page.status_code == 200
        assert series.CHART_NAMES[spc.ChartType(chart)] in page.get_data(True)
    for chart in refused:  # not offered: the measure's own chart is shown
        page = client.get(f"/measures/{mid}?site_id={world.site_a}&chart={chart}")
        assert "XmR (individuals) chart" in page.get_data(True)


def test_a_u_chart_uses_the_rate_formulas(app, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="Rate")
        points = [series.Point(p, x, n, 100 * x / n) for p, (x, n) in zip(
            range(4), [(3, 10), (5, 20), (2, 8), (6, 30)], strict=True)]
        chart = series.build_chart(measure, points, [], "spc", chart_type=spc.ChartType.U)
        expected = spc.u_chart([3, 5, 2, 6], [10, 20, 8, 30], multiplier=100)
        assert chart.chart is spc.ChartType.U
        assert chart.result.upper == pytest.approx(expected.upper)


def test_measure_page_queries_do_not_grow_with_notes_and_flags(app, login, world,
                                                                count_queries):
    m = setup(app, world)
    client = login("lead_a")
    client.get(url(m, world))
    app.extensions["memos"]["measure_pages"].clear()  # made afresh, as after the writes
    with count_queries() as few:
        client.get(url(m, world))
    for i in range(4):
        client.post(f"/measures/{m['id']}/notes?site_id={world.site_a}",
                    data={"on_date": m["periods"][i].isoformat(), "text": f"Note {i}"})
        client.post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                    data={"period": m["periods"][i].isoformat(), "kind": "excluded",
                          "reason": "Audit"})
    with count_queries() as many:
        html = client.get(url(m, world)).get_data(True)
    assert "Note 3" in html
    assert many.count == few.count


def test_data_source_fields_are_edited_with_the_definition_and_shown(app, login, world):
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="Local", site_id=world.site_a,
                                 definition="Patients", unit="%")
        db.session.commit()
        mid = measure.id
    client = login("lead_a")
    form = {"name": "Local", "kind": "outcome", "definition": "Patients",
            "data_kind": "proportion", "unit": "%", "direction": "increase", "target": "",
            "frequency": "weekly", "composite_id": "", "balances_id": "", "chart_type": "",
            "rule_set": "", "position": "0", "data_source": "Theatre system (ORMIS)",
            "collected_by": "Ward audit nurse", "collection_method": "Every patient, Mondays"}
    assert client.post(f"/measures/{mid}/edit", data=form).status_code == 302
    html = client.get(f"/measures/{mid}?site_id={world.site_a}").get_data(True)
    assert "Theatre system (ORMIS)" in html and "Ward audit nurse" in html
    assert "Every patient, Mondays" in html
    form["collected_by"] = f"Nurse, see {NHS_NUMBER}"
    response = client.post(f"/measures/{mid}/edit", data=form)
    assert response.status_code in (200, 400) and "NHS number" in response.get_data(True)


def test_only_a_period_with_data_can_be_marked(app, login, world):
    m = setup(app, world)
    empty = m["periods"][0] - timedelta(weeks=3)
    response = login("lead_a").post(f"/measures/{m['id']}/flags?site_id={world.site_a}",
                                    data={"period": empty.isoformat(), "kind": "excluded",
                                          "reason": "Audit week"})
    assert response.status_code == 400
    assert "Choose a point with data." in response.get_data(True)
    with app.app_context():
        assert db.session.scalars(db.select(PointFlag)).all() == []
