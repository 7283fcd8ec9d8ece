"""The feature's front door for others: a measure's chart at a site, with its summary in words
and the cycles marked on it, in one call."""

from dataclasses import dataclass

from flask import url_for

from ..extensions import db
from ..models import Measure, Site, User
from . import charts, queries, series, words


@dataclass(frozen=True)
class SiteChart:
    """What a page needs to show one site's chart of one measure."""

    measure: Measure
    site: Site
    chart: series.Chart
    cycles: list[charts.ChartCycle]
    geometry: charts.Geometry
    summary: list[str]


def site_chart(measure: Measure, site: Site, user: User, *, view: str | None = None,
               title: str | None = None) -> SiteChart:
    """`measure` at `site` as `user` may see it (their drafts' cycles only if on the team)."""
    chart = load_chart(measure, site, view if view in series.VIEWS
                       else series.default_view(measure))
    cycles = load_cycles(measure, site, user)
    geometry = charts.layout(chart, title=title or f"{measure.name}, {site.name}", cycles=cycles)
    return SiteChart(measure, site, chart, cycles, geometry, words.summary(chart))


def load_chart(measure: Measure, site: Site, view: str) -> series.Chart:
    """One site's chart of a measure: its values on the period grid, phases applied."""
    rows = db.session.execute(queries.values_of([measure.id], [site.id])).scalars()
    breaks = db.session.execute(queries.phase_breaks_of(measure.id, [site.id])).scalars()
    points = series.build_points(measure, rows)
    return series.build_chart(measure, points, [b.period_start for b in breaks], view)


def load_cycles(measure: Measure, site: Site, user: User) -> list[charts.ChartCycle]:
    """Cycles to annotate: linked to the measure at this site, with the date their test began."""
    rows = db.session.execute(queries.cycles_on_chart(measure.id, site.id, user))
    return [charts.ChartCycle(c.id, c.title, c.do_started_on,
                              url_for("cycles.detail", cycle_id=c.id))
            for c in rows.scalars()]
