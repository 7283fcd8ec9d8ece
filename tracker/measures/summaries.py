"""Each site's chart of each measure, summed up and stored (`MeasureSummary`): the latest
point's value and period (and the latest period entered, with a value or not), the centre line
there, the variation and assurance icons the measure page shows, how many periods have data
and the last periods for a thumbnail.

Dashboards, reports and small multiples read these instead of computing an SPC chart per site
per request. They can never be stale:
- every change to a measure's values, phase breaks or point flags (excluded, astronomical)
  marks its (measure, site) series due, and
  the commit recomputes the due series in the same transaction (`init_app` registers the
  session hooks; ORM changes are found by the hooks, bulk Core writes call `touch`);
- a summary records the chart settings it was computed with (`definition_key`): after an edit
  of the measure's definition, a reader that finds a different key computes the chart live;
- a series with no summary at all is computed live, from one batched query.
`flask measures rebuild-summaries` recomputes every one (seed-demo calls it at the end).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.db import keep_derived, lock
from ..core.versions import at_sites
from ..extensions import db
from ..models import Measure, MeasureSummary, MeasureValue, PhaseBreak, PointFlag, Site
from ..spc import AssuranceIcon, ChartType, VariationIcon
from . import queries, series

# Periods kept for the thumbnail and for "is this recent period's data in": the last grid
# periods up to the latest with data.
RECENT = 32
DUE = "measure_summaries_due"


def definition_key(measure: Measure) -> str:
    """The measure's settings that change its chart: a summary computed under others is void."""
    return "|".join(str(v) for v in (
        measure.data_kind, measure.frequency, measure.chart_type, measure.rule_set,
        measure.direction, measure.target, measure.baseline_periods,
        bool(measure.screen_outliers)))[:200]


@dataclass(frozen=True)
class Summary:
    """One site's chart of one measure, summed up (from a stored row or computed live)."""

    measure: Measure
    site_id: int
    view: str
    points: int  # periods with data
    first_period: date | None
    latest_period: date | None
    latest_value: float | None
    centre: float | None
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    error: str
    recent: tuple[tuple[date, float | None], ...]

    @property
    def has_data(self) -> bool:
        return self.latest_period is not None

    def periods_with_data(self) -> set[date]:
        """The recent periods (see RECENT) that have a plotted value."""
        return {p for p, v in self.recent if v is not None}


def of_chart(chart: series.Chart, site_id: int) -> Summary:
    """The summary of a computed chart."""
    latest, result = chart.latest, chart.result
    centre = None
    if latest is not None and result is not None:
        centre = result.centre[chart.points.index(latest)]
    return Summary(
        chart.measure, site_id, chart.view, sum(1 for p in chart.points if not p.missing),
        chart.points[0].period if chart.points else None,
        latest.period if latest else None, latest.value if latest else None, centre,
        result.variation_icon if result else None, result.assurance_icon if result else None,
        chart.error, tuple((p.period, p.value) for p in chart.points[-RECENT:]))


def compute(measure: Measure, site_id: int, rows: Iterable, break_dates: Iterable[date],
            view: str, flags: Iterable = ()) -> Summary:
    """The summary computed live, exactly as the measure page computes the chart (excluded
    and astronomical points, `flags`, honoured)."""
    points = series.build_points(measure, rows)
    return of_chart(series.build_chart(measure, points, list(break_dates), view,
                                       flags=list(flags)), site_id)


def _of_row(measure: Measure, row: MeasureSummary) -> Summary:
    return Summary(
        measure, row.site_id, row.view, row.points, row.first_period, row.latest_period,
        row.latest_value, row.centre,
        VariationIcon(row.variation_icon) if row.variation_icon else None,
        AssuranceIcon(row.assurance_icon) if row.assurance_icon else None, row.error or "",
        tuple((date.fromisoformat(p), v) for p, v in (row.recent or [])))


Series = dict[tuple[int, int], list]


def _series(measure_ids: Collection[int], site_ids: Collection[int]
            ) -> tuple[Series, Series, Series]:
    """Values, phase-break dates and point flags of some measures at some sites: three
    queries (one when there are no values)."""
    rows: Series = defaultdict(list)
    breaks: Series = defaultdict(list)
    flags: Series = defaultdict(list)
    if not measure_ids or not site_ids:
        return rows, breaks, flags
    for row in db.session.execute(queries.value_rows_of(list(measure_ids), list(site_ids))):
        rows[(row.measure_id, row.site_id)].append(row)
    if rows:
        for b in db.session.scalars(queries.phase_breaks_at(list(measure_ids), list(site_ids))):
            breaks[(b.measure_id, b.site_id)].append(b.period_start)
        for f in db.session.scalars(queries.point_flags_at(list(measure_ids), list(site_ids))):
            flags[(f.measure_id, f.site_id)].append(f)
    return rows, breaks, flags


def stored(measure: Measure, view: str) -> sa.Subquery:
    """The measure's stored summaries in `view` computed under its current settings (those a
    reader may use), as a subquery."""
    return db.select(MeasureSummary).where(
        MeasureSummary.measure_id == measure.id, MeasureSummary.view == view,
        MeasureSummary.definition == definition_key(measure)).subquery()


def load(measures: Collection[Measure], site_ids: Collection[int],
         view: str | None = None, *, rows: Iterable[MeasureSummary] | None = None
         ) -> dict[tuple[int, int], Summary]:
    """The summaries of these measures at these sites, by (measure id, site id), in `view`
    (else each measure's default view). One query (none when `rows` holds the stored
    summaries already read, see `with_summaries`), plus up to three for any series whose
    summary is missing or was computed under other settings (computed live, never stale)."""
    measures, site_ids = list(measures), list(site_ids)
    if not measures or not site_ids:
        return {}
    views = {m.id: view or series.default_view(m) for m in measures}
    by_id = {m.id: m for m in measures}
    out: dict[tuple[int, int], Summary] = {}
    stored = rows if rows is not None else db.session.scalars(db.select(MeasureSummary).where(
        MeasureSummary.measure_id.in_(list(by_id)), MeasureSummary.site_id.in_(site_ids),
        MeasureSummary.view.in_(set(views.values()))))
    wanted = set(site_ids)
    for row in stored:
        if row.measure_id not in by_id or row.site_id not in wanted:
            continue
        measure = by_id[row.measure_id]
        if row.view == views[measure.id] and row.definition == definition_key(measure):
            out[(row.measure_id, row.site_id)] = _of_row(measure, row)
    missing = [(m.id, s) for m in measures for s in site_ids if (m.id, s) not in out]
    if missing:
        rows, breaks, flags = _series({m for m, _ in missing}, {s for _, s in missing})
        for key in missing:
            out[key] = compute(by_id[key[0]], key[1], rows[key], breaks[key], views[key[0]],
                               flags[key])
    return out


def default_view_sql() -> sa.Case:
    """`series.default_view` of a Measure row, in SQL: every kind of data may be drawn as a run
    chart, so a measure whose chart type is "run" has the run view and every other the SPC
    view."""
    return sa.case((Measure.chart_type == ChartType.RUN.value, "run"), else_="spc")


def with_summaries(measures: sa.Select, site_ids: Collection[int]
                   ) -> tuple[list[Measure], list[MeasureSummary]]:
    """The measures a select finds (in its order) and their stored summaries at these sites
    in each measure's default view (the one `load` reads without a `view`), in one statement:
    for `load(..., rows=)`. The other view's rows stay in the database: they were half the
    rows read, each with its recent periods to decode, and no reader used them."""
    found = db.session.execute(measures.add_columns(MeasureSummary).outerjoin(
        MeasureSummary, (MeasureSummary.measure_id == Measure.id)
        & MeasureSummary.site_id.in_(list(site_ids))
        & (MeasureSummary.view == default_view_sql()))).all()
    return (list(dict.fromkeys(m for m, _ in found)),
            [s for _, s in found if s is not None])


def _rows(measure: Measure, site_ids: list[int]) -> list[dict]:
    """The summaries of `measure` at these sites in both views, as rows to insert."""
    rows, breaks, flags = _series([measure.id], site_ids)
    key, out = definition_key(measure), []
    for site_id in site_ids:
        for view in series.VIEWS:
            s = compute(measure, site_id, rows[(measure.id, site_id)],
                        breaks[(measure.id, site_id)], view, flags[(measure.id, site_id)])
            out.append({
                "measure_id": measure.id, "site_id": site_id, "view": view, "definition": key,
                "points": s.points, "first_period": s.first_period,
                "latest_period": s.latest_period,
                "last_entered": max((r.period_start for r in rows[(measure.id, site_id)]),
                                    default=None),
                "latest_value": s.latest_value,
                "centre": s.centre,
                "variation_icon": s.variation_icon.value if s.variation_icon else None,
                "assurance_icon": s.assurance_icon.value if s.assurance_icon else None,
                "error": s.error, "recent": [[p.isoformat(), v] for p, v in s.recent]})
    return out


def refresh(measure: Measure, site_ids: Collection[int]) -> None:
    """Recompute and store the summaries of `measure` at these sites, in both views."""
    site_ids = sorted(set(site_ids))
    if not site_ids:
        return
    rows = _rows(measure, site_ids)
    with at_sites(site_ids):  # each site's own charts
        db.session.execute(db.delete(MeasureSummary).where(
            MeasureSummary.measure_id == measure.id, MeasureSummary.site_id.in_(site_ids))
            .execution_options(synchronize_session=False))
        db.session.execute(db.insert(MeasureSummary), rows)


def rebuild_all(*, batch: int = 150) -> int:
    """Recompute every summary: each measure at every site that may chart it (its
    collaborative's sites for a core measure, its own site for a local one), so a series with
    no data has its (empty) summary too. Returns how many series."""
    db.session.execute(db.delete(MeasureSummary).execution_options(synchronize_session=False))
    measures = db.session.scalars(db.select(Measure).where(Measure.deleted_at.is_(None))
                                  .order_by(Measure.id)).all()
    sites_of: dict[int, list[int]] = defaultdict(list)
    for site_id, collaborative_id in db.session.execute(
            db.select(Site.id, Site.collaborative_id).order_by(Site.id)):
        sites_of[collaborative_id].append(site_id)
    total, pending = 0, []
    for measure in measures:
        site_ids = [measure.site_id] if measure.site_id else sites_of[measure.collaborative_id]
        for start in range(0, len(site_ids), batch):
            pending += _rows(measure, site_ids[start:start + batch])
            if len(pending) >= 2000:
                db.session.execute(db.insert(MeasureSummary), pending)
                pending = []
        total += len(site_ids)
    if pending:
        db.session.execute(db.insert(MeasureSummary), pending)
    return total


# Keeping them current: the session hooks.

def touch(session: Session, measure_id: int, site_ids: Iterable[int]) -> None:
    """Mark series changed by a bulk (Core) write: the commit recomputes them."""
    session.info.setdefault(DUE, set()).update((measure_id, s) for s in site_ids)


def _before_flush(session: Session, flush_context, instances) -> None:
    due = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, MeasureValue | PhaseBreak | PointFlag):
            if due is None:
                due = session.info.setdefault(DUE, set())
            due.add((obj.measure_id, obj.site_id))
            history = sa.inspect(obj).attrs.site_id.history  # a value moved between sites
            due.update((obj.measure_id, s) for s in history.deleted if s is not None)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # changes not flushed yet: the flush hook marks their series due
    if not session.info.get(DUE):
        return
    due = session.info.pop(DUE, set())
    by_measure: dict[int, set[int]] = defaultdict(set)
    for measure_id, site_id in due:
        by_measure[measure_id].add(site_id)
    # Hold the measures (as every writer of their data does) so that a concurrent save is
    # either seen here or waits for this commit and recomputes after it.
    lock(Measure.name, *by_measure)
    for measure_id, site_ids in sorted(by_measure.items()):
        measure = session.get(Measure, measure_id)
        if measure is not None:
            refresh(measure, site_ids)
    session.flush()
    session.info.pop(DUE, None)


def init_app(app) -> None:
    keep_derived((MeasureSummary,), _before_flush, _before_commit, DUE)
