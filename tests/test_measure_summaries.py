"""Stored chart summaries (measure_summary): the same latest signal, value and centre as the
live SPC computation, recomputed by every way data changes, and read by the pages that used to
compute a chart per site."""

import re
import threading
import time

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.extensions import db
from tracker.feedback import followup
from tracker.measures import front, periods, series, summaries
from tracker.measures.entries import Entry
from tracker.measures.services import (
    change_point_flag,
    remove_phase_break,
    save_entries,
    set_phase_break,
)
from tracker.models import (
    Collaborative,
    DataKind,
    Direction,
    FeedbackFollowup,
    Frequency,
    IdeaSiteStatus,
    IdeaTotal,
    Measure,
    MeasureSummary,
    MeasureValue,
    PhaseBreak,
    PointFlag,
    Site,
    SiteStanding,
    User,
)
from tracker.spc import ChartType, RuleSet, VariationIcon

from .test_api_measures import client as api_client
from .test_measures_bundles import bundle, grid, tally  # noqa: F401  (bundle: a fixture)
from .test_measures_import import confirm, csv_bytes, preview_url, upload

BASE = [50, 54, 46, 52, 48, 55, 45, 51, 49, 53, 47, 50, 52, 48]
WEEKS = periods.recent_periods(Frequency.WEEKLY, 40)[::-1]  # oldest first, ends this week

# Designed series: (measure settings, values) with None for a missing period.
DESIGNS = {
    "improvement": ({}, BASE + [54, 53, 55, 54, 53, 55, 54]),
    "concern": ({}, BASE + [46, 47, 45, 46, 47, 45, 46]),
    "lower is better": ({"direction": Direction.DECREASE}, BASE + [46, 47, 45, 46, 47, 45, 46]),
    "common cause": ({}, BASE),
    "with gaps": ({}, [50, None, 54, 46, None, None, 52, 48, 55, 45, 51, 49, 53, 47]),
    "one point": ({}, [50]),
    "outside the limits": ({}, BASE + [80]),
    "target met": ({"target": 30.0}, BASE),
    "target hit and miss": ({"target": 50.0}, BASE),
    "p chart": ({"chart_type": ChartType.P.value}, BASE + [60, 62, 61]),
    "p-prime chart": ({"chart_type": ChartType.PP.value}, BASE + [60, 62, 61]),
    "run chart": ({"chart_type": ChartType.RUN.value}, BASE + [54, 53, 55, 54, 53, 55, 54]),
    "Anhoej rules": ({"rule_set": RuleSet.ANHOEJ.value}, BASE + [54, 53, 55, 54, 53, 55, 54]),
    "baseline": ({"baseline_periods": 12}, BASE + [54, 53, 55, 54, 53, 55, 54]),
    "count": ({"data_kind": DataKind.COUNT}, [3, 5, 4, 6, 2, 4, 5, 3, 4, 12]),
    "c chart": ({"data_kind": DataKind.COUNT, "chart_type": ChartType.C.value},
                [3, 5, 4, 6, 2, 4, 5, 3, 4, 12]),
    "continuous": ({"data_kind": DataKind.CONTINUOUS}, [3.5, 4.1, 3.9, 4.4, 3.2, 4.0, 9.0]),
    "a zero denominator last": ({}, BASE + ["zero"]),
}


def _store(measure, site, values, start) -> None:
    period = start
    for v in values:
        if v is not None:
            if measure.data_kind == DataKind.PROPORTION:
                num, den = (0, 0) if v == "zero" else (v, 100)
                row = MeasureValue(numerator=num, denominator=den)
            else:
                row = MeasureValue(value=v)
            row.measure_id, row.site_id, row.period_start = measure.id, site.id, period
            db.session.add(row)
        period = periods.next_period(period, measure.frequency)


def _live(measure, site, view):
    rows = db.session.scalars(db.select(MeasureValue).filter_by(
        measure_id=measure.id, site_id=site.id)).all()
    breaks = [b.period_start for b in db.session.scalars(db.select(PhaseBreak).filter_by(
        measure_id=measure.id, site_id=site.id, deleted_at=None))]
    flags = db.session.scalars(db.select(PointFlag).filter_by(
        measure_id=measure.id, site_id=site.id, deleted_at=None)).all()
    return series.build_chart(measure, series.build_points(measure, rows), breaks, view,
                              flags=flags)


def _same(summary, chart) -> None:
    """The summary says what the live chart says: latest point, centre, icons, count."""
    latest, result = chart.latest, chart.result
    assert summary.latest_period == (latest.period if latest else None)
    assert summary.latest_value == pytest.approx(latest.value if latest else None)
    assert summary.points == sum(1 for p in chart.points if not p.missing)
    assert summary.variation_icon == (result.variation_icon if result else None)
    assert summary.assurance_icon == (result.assurance_icon if result else None)
    if latest is not None and result is not None:
        assert summary.centre == pytest.approx(result.centre[chart.points.index(latest)])
    assert summary.recent == tuple((p.period, p.value) for p in chart.points[-summaries.RECENT:])


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_the_stored_summary_says_what_the_live_chart_says(app, world, design):
    settings, values = DESIGNS[design]
    with app.app_context():
        measure = f.make_measure(world.collaborative, frequency=Frequency.WEEKLY, **settings)
        site = db.session.get(Site, world.site_a)
        _store(measure, site, values, WEEKS[-len(values)])
        if design == "baseline":  # and a phase break after it
            db.session.add(PhaseBreak(measure_id=measure.id, site_id=site.id,
                                      period_start=WEEKS[-5]))
        db.session.commit()  # the commit computes the summaries
        db.session.expire_all()
        measure = db.session.get(Measure, measure.id)
        stored = db.session.scalars(db.select(MeasureSummary).filter_by(
            measure_id=measure.id, site_id=site.id)).all()
        assert sorted(s.view for s in stored) == ["run", "spc"]
        for view in series.VIEWS:
            summary = summaries.load([measure], [site.id], view)[(measure.id, site.id)]
            _same(summary, _live(measure, site, view))
            rows = db.session.scalars(db.select(MeasureValue).filter_by(
                measure_id=measure.id, site_id=site.id)).all()
            if view == series.default_view(measure):
                breaks = [b.period_start for b in db.session.scalars(db.select(PhaseBreak))]
                assert front.signal_words(summary) == front.latest_signal(measure, rows, breaks)


def test_designed_signals_are_the_ones_expected(app, world):
    """The comparison above is not vacuous: the designs reach the icons they are named for."""
    with app.app_context():
        site = db.session.get(Site, world.site_a)
        icons = {}
        for design in ("improvement", "concern", "common cause", "lower is better"):
            settings, values = DESIGNS[design]
            m = f.make_measure(world.collaborative, frequency=Frequency.WEEKLY, **settings)
            _store(m, site, values, WEEKS[-len(values)])
            icons[design] = m
        db.session.commit()
        got = {d: summaries.load([m], [site.id])[(m.id, site.id)].variation_icon
               for d, m in icons.items()}
    assert got == {"improvement": VariationIcon.IMPROVEMENT_HIGH,
                   "concern": VariationIcon.CONCERN_LOW,
                   "common cause": VariationIcon.COMMON_CAUSE,
                   "lower is better": VariationIcon.IMPROVEMENT_LOW}


# Every way data changes recomputes the summary, in the same transaction.

def stored_summary(app, measure_id, site_id, view="spc") -> MeasureSummary | None:
    """The stored summary, checked against the chart computed live from the data now."""
    with app.app_context():
        row = db.session.get(MeasureSummary, (measure_id, site_id, view))
        if row is None:
            return None
        measure = db.session.get(Measure, measure_id)
        _same(summaries.load([measure], [site_id], view)[(measure_id, site_id)],
              _live(measure, db.session.get(Site, site_id), view))
        # The latest period entered, a value or not: what the reasons for support read.
        assert row.last_entered == db.session.scalar(sa.select(sa.func.max(
            MeasureValue.period_start)).where(MeasureValue.measure_id == measure_id,
                                              MeasureValue.site_id == site_id))
        db.session.expunge(row)
        return row


@pytest.fixture
def measure_id(app, world) -> int:
    """A weekly proportion with 21 weeks at site A: an improvement at the end."""
    with app.app_context():
        m = f.make_measure(world.collaborative, name="DrEaMing", definition="All three.",
                           frequency=Frequency.WEEKLY)
        f.make_values(m, db.session.get(Site, world.site_a),
                      [(v, 100) for v in BASE + [54, 53, 55, 54, 53, 55, 54]],
                      start=WEEKS[-22])
        db.session.commit()
        return m.id


def test_grid_save_and_clearing_a_period_recompute_it(app, login, world, measure_id):
    before = stored_summary(app, measure_id, world.site_a)
    assert before.variation_icon == "improvement_high" and before.points == 21
    client = login("member_a")
    # The grid's 12 weeks: this week (row 0) far below the usual range, the 11 before it
    # cleared (their values deleted).
    assert grid(client, measure_id, world.site_a, "5", "100").status_code == 302
    after = stored_summary(app, measure_id, world.site_a)
    assert (after.latest_period, after.latest_value) == (WEEKS[-1], 5.0)
    assert after.variation_icon == "concern_low" and after.points == 21 - 11 + 1
    # Clearing this week too: back to the latest week older than the grid.
    assert grid(client, measure_id, world.site_a, "", "").status_code == 302
    cleared = stored_summary(app, measure_id, world.site_a)
    assert cleared.latest_period == WEEKS[-13] and cleared.points == 21 - 11
    assert cleared.latest_value == 53.0


def test_an_import_recomputes_it(app, login, world, measure_id):
    client = login("member_a")
    rows = [["Week commencing", "Numerator", "Denominator"], [WEEKS[-1].isoformat(), 90, 100]]
    url = preview_url(upload(client, measure_id, world.site_a, csv_bytes(rows)))
    assert stored_summary(app, measure_id, world.site_a).latest_period == WEEKS[-2]
    assert confirm(client, url).status_code == 302
    after = stored_summary(app, measure_id, world.site_a)
    assert (after.latest_period, after.latest_value) == (WEEKS[-1], 90.0)
    assert after.variation_icon == "improvement_high"


def test_an_api_upsert_recomputes_it(app, world, measure_id):
    response = api_client(app, world).request(
        "PUT", f"/api/v1/measures/{measure_id}/values?site_id={world.site_a}",
        json={"rows": [{"period": WEEKS[-1].isoformat(), "numerator": 2, "denominator": 100}]})
    assert response.status_code == 200, response.get_json()
    after = stored_summary(app, measure_id, world.site_a)
    assert (after.latest_period, after.latest_value) == (WEEKS[-1], 2.0)
    assert after.variation_icon == "concern_low"


def test_a_tally_and_its_undo_recompute_it(app, login, world, bundle):  # noqa: F811
    client = login("member_a")
    assert stored_summary(app, bundle["dream"], world.site_a) is None  # no data yet
    assert tally(client, bundle, world.site_a, "yes", "yes", "yes").status_code == 302
    assert tally(client, bundle, world.site_a, "yes", "no", "yes").status_code == 302
    dream = stored_summary(app, bundle["dream"], world.site_a)
    eat = stored_summary(app, bundle["Eat"], world.site_a)
    assert (dream.latest_value, eat.latest_value, dream.points) == (50.0, 50.0, 1)
    url = f"/measures/{bundle['dream']}/tally/undo?site_id={world.site_a}"
    assert client.post(url).status_code == 302
    assert stored_summary(app, bundle["dream"], world.site_a).latest_value == 100.0
    assert stored_summary(app, bundle["Eat"], world.site_a).latest_value == 100.0


def test_phase_breaks_set_and_removed_recompute_it(app, world, measure_id):
    with app.app_context():
        measure, site = db.session.get(Measure, measure_id), db.session.get(Site, world.site_a)
        lead = db.session.get(User, world.lead_a)
        phase = set_phase_break(measure, site, WEEKS[-8], "Adopted", by=lead)
        db.session.commit()
        phase_id = phase.id
    rebased = stored_summary(app, measure_id, world.site_a)
    assert rebased.centre == pytest.approx(54.0)  # the new phase's own mean
    assert rebased.variation_icon == "common_cause"
    with app.app_context():
        remove_phase_break(db.session.get(PhaseBreak, phase_id),
                           by=db.session.get(User, world.lead_a))
        db.session.commit()
    assert stored_summary(app, measure_id, world.site_a).variation_icon == "improvement_high"


def test_excluding_a_point_and_clearing_it_recompute_it(app, world, measure_id):
    before = stored_summary(app, measure_id, world.site_a)
    with app.app_context():
        measure, site = db.session.get(Measure, measure_id), db.session.get(Site, world.site_a)
        lead = db.session.get(User, world.lead_a)
        change_point_flag(measure, site, WEEKS[-21], "excluded", "Ward closed", by=lead)
        db.session.commit()
    excluded = stored_summary(app, measure_id, world.site_a)  # as the live chart with the flag
    assert excluded.centre != pytest.approx(before.centre)
    with app.app_context():
        change_point_flag(db.session.get(Measure, measure_id),
                          db.session.get(Site, world.site_a), WEEKS[-21], None,
                          by=db.session.get(User, world.lead_a))
        db.session.commit()
    assert stored_summary(app, measure_id, world.site_a).centre == pytest.approx(before.centre)


def test_a_rolled_back_change_leaves_it_as_it_was(app, world, measure_id):
    with app.app_context():
        measure = db.session.get(Measure, measure_id)
        save_entries(measure, [Entry(world.site_a, WEEKS[-1], 1, 100, None, "")],
                     by=db.session.get(User, world.member_a), source="grid")
        db.session.rollback()
        db.session.commit()
    assert stored_summary(app, measure_id, world.site_a).latest_period == WEEKS[-2]


def test_a_changed_definition_is_never_read_from_a_stale_summary(app, world, measure_id):
    with app.app_context():
        measure = db.session.get(Measure, measure_id)
        measure.direction = Direction.DECREASE  # higher is now worse: the same shift is a concern
        db.session.commit()
        summary = summaries.load([measure], [world.site_a])[(measure_id, world.site_a)]
        assert summary.variation_icon == VariationIcon.CONCERN_HIGH
        summaries.rebuild_all()
        db.session.commit()
    assert stored_summary(app, measure_id, world.site_a).variation_icon == "concern_high"


def test_rebuild_command_recomputes_every_summary(app, world, measure_id):
    with app.app_context():
        db.session.execute(db.delete(MeasureSummary))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "Summed up" in result.output
    assert stored_summary(app, measure_id, world.site_a).variation_icon == "improvement_high"
    assert stored_summary(app, measure_id, world.site_b).points == 0  # no data: empty one


def test_saves_wait_while_the_rebuild_command_runs(app, world, database_url, monkeypatch):
    """While rebuild-summaries recomputes the derived tables, no other connection writes to
    them: a save waits for its commit (PostgreSQL: the table lock; SQLite: its one write lock),
    then refreshes its own rows over the rebuilt ones, instead of missing them."""
    refused = []
    rebuild = followup.rebuild_all  # the command's last step: the tables are held by then

    def and_meanwhile() -> int:
        count = rebuild()
        postgres = database_url.startswith("postgresql")
        other = sa.create_engine(database_url)
        try:
            with other.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '100ms'" if postgres
                                     else "PRAGMA busy_timeout = 100"))
                conn.execute(sa.delete(MeasureSummary).where(MeasureSummary.site_id == -1))
        except sa.exc.OperationalError as error:
            refused.append(str(error))
        finally:
            other.dispose()
        return count

    monkeypatch.setattr(followup, "rebuild_all", and_meanwhile)
    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert len(refused) == 1 and "lock" in refused[0], refused


@pytest.mark.committed  # the rebuild runs in a thread, on a connection of its own
def test_the_rebuild_holds_the_tables_in_the_order_a_save_writes_them(app, database_url):
    """A save's commit hooks write the derived tables in order (core.db.keep_derived: a
    cycle's feedback follow-ups first, its site's standing last), each held until the commit.
    The rebuild takes its table locks in that order too: begun after a save has written the
    first, it waits there holding none of the others, and the save goes on. (Holding the
    follow-ups last, it waited for the save while the save waited for it, and PostgreSQL ended
    one of them as a deadlock.)"""
    postgres = database_url.startswith("postgresql")
    done = {}
    rebuild = threading.Thread(target=lambda: done.setdefault(
        "result", app.test_cli_runner().invoke(args=["rebuild-summaries"])))
    other = sa.create_engine(database_url)
    try:
        with other.connect() as save, save.begin():
            if postgres:
                save.execute(sa.text("SET LOCAL lock_timeout = '20s'"))
            save.execute(sa.delete(FeedbackFollowup).where(FeedbackFollowup.cycle_id == -1))
            rebuild.start()
            if postgres:  # until the rebuild waits for the follow-ups
                _until(lambda: save.scalar(sa.text(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted "
                    "AND relation = 'feedback_followup'::regclass AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())")))
            for model in (MeasureSummary, IdeaSiteStatus, IdeaTotal, SiteStanding):
                save.execute(sa.delete(model).where(model.idea_id == -1 if model is IdeaTotal
                                                    else model.site_id == -1))
    finally:
        rebuild.join(60)
        other.dispose()
    assert done["result"].exit_code == 0, done["result"].output


def _until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the rebuild never began waiting"
        time.sleep(0.05)


# The pages that read them: constant queries, paged and filtered small multiples.

def _sites(app, world, measure_id, count: int, prefix: str = "Extra") -> None:
    with app.app_context():
        collab = db.session.get(Collaborative, world.collaborative)
        measure = db.session.get(Measure, measure_id)
        for n in range(count):
            site = f.make_site(collab, f"{prefix} {n:03d}", network_id=world.network)
            f.make_values(measure, site, [(v, 100) for v in BASE], start=WEEKS[-14])
        db.session.commit()


PAGES = {
    "small multiples": ("faculty", "/measures/{m}/sites"),
    "faculty dashboard": ("faculty", "/reports/faculty"),
    "action-period report": ("faculty", "/reports/action-period"),
    "dashboard, faculty": ("faculty", "/dashboard"),
    "dashboard, site lead": ("lead_a", "/dashboard"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_cost_the_same_queries_for_5_or_50_sites(app, login, world, measure_id,
                                                       count_queries, page):
    who, path = PAGES[page]
    path = path.format(m=measure_id)
    with app.app_context():  # the collaborative's aim: the dashboards' main measure
        db.session.get(Collaborative, world.collaborative).aim_measure_id = measure_id
        db.session.commit()
    client = login(who)
    _sites(app, world, measure_id, 3)
    assert client.get(path).status_code == 200  # warm-up
    # Each measured as a server that has kept nothing makes it (core.versions keeps the
    # reports while the data stands still: the second request would read nearly nothing).
    app.extensions["memos"].clear()
    with count_queries() as five:
        assert client.get(path).status_code == 200
    _sites(app, world, measure_id, 45, prefix="More")
    app.extensions["memos"].clear()
    with count_queries() as fifty:
        assert client.get(path).status_code == 200
    assert fifty.count == five.count
    if page == "small multiples":  # the others' queries beyond the charts are not about sites
        assert fifty.count <= 12


def test_small_multiples_are_paged_and_filtered_by_network(app, login, world, measure_id):
    _sites(app, world, measure_id, 30)
    with app.app_context():
        other = f.make_collaborative("Test South", parent_id=world.collaborative)
        f.make_site(db.session.get(Collaborative, world.collaborative), "Zeta South",
                    network_id=other.id)
        db.session.commit()
        other_id = other.id
    client = login("faculty")
    html = client.get(f"/measures/{measure_id}/sites").get_data(True)
    assert html.count('class="col site-card"') == 24
    assert "33 sites" in html and "(page 1 of 2)" in html
    last = client.get(f"/measures/{measure_id}/sites?page=2&sort=signal").get_data(True)
    assert last.count('class="col site-card"') == 9
    assert f'href="/measures/{measure_id}/sites?sort=signal&amp;view=spc&amp;page=1"' in last
    south = client.get(f"/measures/{measure_id}/sites?network={other_id}").get_data(True)
    assert re.findall(r'data-site="([^"]+)"', south) == ["Zeta South"]
    assert "1 site in Test South" in south and "No data yet" in south
    north = client.get(f"/measures/{measure_id}/sites?network={world.network}").get_data(True)
    assert "32 sites in Test North" in north


def test_the_default_view_in_sql_is_the_one_pages_read(app, world):
    """`with_summaries` reads each measure's summaries in its default view only, chosen in
    SQL: for every kind of data and every chart type (one not allowed for the kind, and
    none, fall back to the kind's first), the database's choice is series.default_view's."""
    with app.app_context():
        made = []
        for kind, allowed in series.CHART_TYPES.items():
            for chart in [*allowed, *(c for c in ChartType if c not in allowed)][:len(allowed) + 1]:
                made.append(f.make_measure(world.collaborative, data_kind=kind,
                                           chart_type=chart.value))
            made.append(f.make_measure(world.collaborative, data_kind=kind, chart_type=None))
        site = db.session.get(Site, world.site_a)
        for m in made:
            _store(m, site, [3, 4, 5], WEEKS[-3])
        db.session.commit()
        ids = [m.id for m in made]
        found, stored = summaries.with_summaries(
            db.select(Measure).where(Measure.id.in_(ids)).order_by(Measure.id), [site.id])
        assert [m.id for m in found] == ids
        assert sorted((s.measure_id, s.view) for s in stored) == sorted(
            (m.id, series.default_view(m)) for m in made)
        assert {series.default_view(m) for m in made} == {"run", "spc"}
