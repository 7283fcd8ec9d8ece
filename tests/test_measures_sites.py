"""Small multiples across sites, and rebasing (phase breaks) as a site lead's decision."""

import re
from datetime import timedelta

import pytest

from tests import factories as f
from tracker.extensions import db
from tracker.measures import periods
from tracker.measures.views import charts as chart_views
from tracker.measures.views.charts import SORTS
from tracker.models import (
    AuditEvent,
    Collaborative,
    DataKind,
    Frequency,
    Measure,
    MeasureSummary,
    PhaseBreak,
    Site,
    utcnow,
)

BASE = [50, 54, 46, 52, 48, 55, 45, 51, 49, 53, 47, 50, 52, 48]
UP = [54, 53, 55, 54, 53, 55, 54]  # seven weeks above the mean: an improvement
DOWN = [46, 47, 45, 46, 47, 45, 46]  # seven below: a concern


def measure_with_sites(app, world, extra_sites: int = 0) -> int:
    with app.app_context():
        collaborative = db.session.get(Collaborative, world.collaborative)
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                                 frequency=Frequency.WEEKLY)
        sites = [db.session.get(Site, world.site_a), db.session.get(Site, world.site_b)]
        sites += [f.make_site(collaborative, f"Site {n:03d}") for n in range(extra_sites)]
        for i, site in enumerate(sites):
            tail = UP if i % 3 == 0 else DOWN if i % 3 == 1 else BASE[7:]
            f.make_values(measure, site, [(v, 100) for v in BASE + tail])
            db.session.add(PhaseBreak(measure_id=measure.id, site_id=site.id,
                                      period_start=periods.recent_periods(
                                          Frequency.WEEKLY, 30)[-1], note="old"))
        db.session.commit()
        return measure.id


def test_every_site_on_the_same_axes_with_signals(app, login, world):
    measure_id = measure_with_sites(app, world, extra_sites=1)
    html = login("faculty").get(f"/measures/{measure_id}/sites").get_data(True)
    cards = re.findall(r'<li class="col site-card" data-site="([^"]+)">', html)
    assert cards == ["Alpha Hospital", "Beta Hospital", "Site 000"]
    assert html.count('<svg class="sparkline"') == 3  # thumbnails, not full charts
    axes = re.findall(r'data-axes="([^"]+)"', html)
    assert len(axes) == 3 and len(set(axes)) == 1  # identical axes
    assert "measure-chart-compact" not in html
    assert "Latest week: a sign of improvement (higher than usual)" in html
    assert "Latest week: a sign of concern (lower than usual)" in html
    assert "Latest: <strong>54%</strong>" in html


def test_sort_by_latest_value_and_by_signal(app, login, world):
    measure_id = measure_with_sites(app, world, extra_sites=1)
    client = login("faculty")

    def order(sort):
        html = client.get(f"/measures/{measure_id}/sites?sort={sort}").get_data(True)
        return re.findall(r'data-site="([^"]+)"', html)

    # Latest values: Alpha 54 (improvement), Site 000 48 (common cause), Beta 46 (concern).
    assert order("latest") == ["Alpha Hospital", "Site 000", "Beta Hospital"]
    assert order("signal") == ["Beta Hospital", "Alpha Hospital", "Site 000"]
    assert order("nonsense") == ["Alpha Hospital", "Beta Hospital", "Site 000"]


def test_small_multiples_cost_the_same_queries_for_2_or_20_sites(app, login, world,
                                                                  count_queries):
    small = measure_with_sites(app, world)
    client = login("faculty")
    client.get(f"/measures/{small}/sites")  # warm-up
    app.extensions["memos"].clear()  # each measured as a server that has kept nothing
    with count_queries() as two:
        client.get(f"/measures/{small}/sites")
    with app.app_context():
        db.session.get(Measure, small).deleted_at = db.func.now()
        db.session.commit()
    big = measure_with_sites(app, world, extra_sites=18)
    app.extensions["memos"].clear()
    with count_queries() as twenty:
        html = client.get(f"/measures/{big}/sites").get_data(True)
    assert html.count('class="col site-card"') == 20
    assert twenty.count == two.count


@pytest.mark.parametrize("data_kind", [DataKind.PROPORTION, DataKind.CONTINUOUS])
def test_small_multiples_read_from_sql_match_those_read_whole(app, login, world, data_kind,
                                                              monkeypatch):
    # With every site's summary stored the page is sorted and cut in SQL; with one missing,
    # every site's is read and sorted in Python. The two must draw the same page.
    with app.app_context():
        collaborative = db.session.get(Collaborative, world.collaborative)
        measure = f.make_measure(world.collaborative, name="Mixed", data_kind=data_kind,
                                 frequency=Frequency.WEEKLY)
        for n in range(30):
            site = f.make_site(collaborative, f"Ward {n:02d}")
            tail = [UP, DOWN, BASE[7:]][n % 3]
            values = [v + n % 5 for v in BASE + tail]
            f.make_values(measure, site, [(v, 100) for v in values]
                          if data_kind == DataKind.PROPORTION else values,
                          start=periods.recent_periods(Frequency.WEEKLY, 40)[-1 - n % 4])
        f.make_site(collaborative, "Ward without data")
        db.session.commit()
        measure_id = measure.id
    client = login("faculty")
    ways = []
    for way in ("_page_in_sql", "_page_read_whole"):
        real = getattr(chart_views, way)
        monkeypatch.setattr(chart_views, way,
                            lambda *a, _real=real, _way=way: ways.append(_way) or _real(*a))

    def draw(sort, page):
        html = client.get(f"/measures/{measure_id}/sites?sort={sort}&page={page}").get_data(True)
        return (re.findall(r'data-site="([^"]+)"', html), re.findall(r'data-axes="([^"]+)"', html),
                re.findall(r'<polyline points="([^"]+)"', html), "(page" in html)

    shown = {(sort, page): draw(sort, page) for sort in SORTS for page in (1, 2)}
    assert set(ways) == {"_page_in_sql"}  # sites with no data need no summary
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(MeasureSummary).where(
            MeasureSummary.measure_id == measure_id)) > 0
        db.session.execute(db.delete(MeasureSummary).where(
            MeasureSummary.measure_id == measure_id,
            MeasureSummary.site_id == db.select(Site.id).where(
                Site.name == "Ward 07").scalar_subquery()))
        db.session.commit()
    ways.clear()
    assert {key: draw(*key) for key in shown} == shown
    assert set(ways) == {"_page_read_whole"}
    names = shown[("latest", 1)][0] + shown[("latest", 2)][0]
    assert len(names) == 33  # with the two sites of `world`, no data either
    assert names[-3:] == ["Alpha Hospital", "Beta Hospital", "Ward without data"]
    assert len(set(shown[("name", 1)][1] + shown[("name", 2)][1])) == 1  # one set of axes


def test_a_local_measure_has_no_small_multiples(app, login, world):
    with app.app_context():
        local = f.make_measure(world.collaborative, site_id=world.site_a, definition="x")
        db.session.commit()
        local_id = local.id
    response = login("member_a").get(f"/measures/{local_id}/sites")
    assert response.status_code == 302 and response.location.endswith(f"/measures/{local_id}")


# --------------------------------------------------------------------------- rebasing


def shifted_measure(app, world) -> tuple[int, list]:
    with app.app_context():
        measure = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                                 frequency=Frequency.WEEKLY)
        rows = f.make_values(measure, db.session.get(Site, world.site_a),
                             [(v, 100) for v in BASE + UP])
        db.session.commit()
        return measure.id, [r.period_start for r in rows]


def test_a_sustained_shift_is_suggested_never_applied(app, login, world):
    measure_id, weeks = shifted_measure(app, world)
    html = login("lead_a").get(f"/measures/{measure_id}?site_id={world.site_a}").get_data(True)
    label = weeks[14].strftime("%-d %b %Y")
    assert f"A sustained shift starts in the week of {label}" in html
    assert f'name="period_start" required type="date" value="{weeks[14].isoformat()}"' in html
    assert "One phase" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PhaseBreak.id))) == 0
    member_html = login("member_a").get(f"/measures/{measure_id}?site_id={world.site_a}")
    assert "Start a new phase" not in member_html.get_data(True)


def test_site_lead_sets_and_removes_a_phase_break(app, login, world):
    measure_id, weeks = shifted_measure(app, world)
    client = login("lead_a")
    response = client.post(f"/measures/{measure_id}/phases?site_id={world.site_a}",
                           data={"period_start": weeks[14].isoformat(),
                                 "note": "Evening sit-out adopted on all wards"})
    assert response.status_code == 302
    html = client.get(f"/measures/{measure_id}?site_id={world.site_a}").get_data(True)
    assert "Evening sit-out adopted on all wards" in html
    assert "7 Points Above CL" not in html  # each phase has its own mean now
    with app.app_context():
        phase = db.session.scalars(db.select(PhaseBreak)).one()
        assert (phase.period_start, phase.created_by_id) == (weeks[14], world.lead_a)
        phase_id = phase.id
    assert login("member_a").post(
        f"/measures/{measure_id}/phases/{phase_id}/remove").status_code == 403
    assert client.post(f"/measures/{measure_id}/phases/{phase_id}/remove").status_code == 302
    with app.app_context():
        phase = db.session.get(PhaseBreak, phase_id)
        assert phase.deleted_at is not None and phase.deleted_by_id == world.lead_a  # kept
        assert db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all(
        ) == ["measure.phase_set", "measure.phase_removed"]
    assert "7 Points Above CL" in client.get(
        f"/measures/{measure_id}?site_id={world.site_a}").get_data(True)


@pytest.mark.parametrize("who", ["member_a", "lead_b", "faculty"])
def test_only_the_sites_lead_rebases(app, login, world, who):
    measure_id, weeks = shifted_measure(app, world)
    response = login(who).post(f"/measures/{measure_id}/phases?site_id={world.site_a}",
                               data={"period_start": weeks[14].isoformat(), "note": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("day,message", [
    (lambda w: w[14] + timedelta(days=1), "is not a Monday"),
    (lambda w: w[-1] + timedelta(weeks=2), "is in the future"),
    (lambda w: "", "This field is required."),
])
def test_bad_phase_break_keeps_the_note(app, login, world, day, message):
    measure_id, weeks = shifted_measure(app, world)
    value = day(weeks)
    response = login("lead_a").post(
        f"/measures/{measure_id}/phases?site_id={world.site_a}",
        data={"period_start": value if isinstance(value, str) else value.isoformat(),
              "note": "Typed reason"})
    html = response.get_data(True)
    assert response.status_code == 200
    assert message in html and "Typed reason" in html and 'id="period_start-error"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PhaseBreak.id))) == 0


def test_the_main_measure_chosen_in_sql_is_the_one_pick_main_chooses(app, world):
    """Reports ask the database for the main measure (front.main_measure); the dashboards
    choose among measures already read (pick_main): the same rule either way."""
    from tracker.measures.front import main_measure, main_measure_with_summaries, pick_main
    from tracker.models import MeasureKind

    def both():
        collab = db.session.get(Collaborative, world.collaborative)
        every = db.session.scalars(db.select(Measure).where(
            Measure.collaborative_id == collab.id)).all()
        picked = pick_main(every, aim_measure_id=collab.aim_measure_id)
        with_rows, _ = main_measure_with_summaries(collab.id, [world.site_a])
        assert main_measure(collab.id) is picked and with_rows is picked
        return picked

    with app.app_context():
        for m in db.session.scalars(db.select(Measure)):
            m.deleted_at = utcnow()  # the world's own: start from none
        assert both() is None
        site = db.session.get(Site, world.site_a)
        f.make_measure(world.collaborative, site_id=site.id, position=-1)  # a site's own
        assert both() is None
        process = f.make_measure(world.collaborative, kind=MeasureKind.PROCESS, position=0)
        assert both() is process  # no outcome measure: a process one
        late = f.make_measure(world.collaborative, position=5)
        first = f.make_measure(world.collaborative, position=2)
        assert both() is first  # outcome before process, then by position
        bundle = f.make_measure(world.collaborative, position=1, name="Bundle")
        part = f.make_measure(world.collaborative, position=0, composite_id=bundle.id)
        assert both() is bundle  # a component is no main measure of itself
        db.session.get(Collaborative, world.collaborative).aim_measure_id = part.id
        assert both() is part  # unless the aim is measured by it
        db.session.get(Collaborative, world.collaborative).aim_measure_id = late.id
        assert both() is late
        late.deleted_at = utcnow()
        assert both() is bundle
        db.session.rollback()
