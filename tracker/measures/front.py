"""The feature's front door for others (reports, dashboards): a measure's chart at a site with
its summary and cycles, what data sites submitted over a span, the latest signal in words.

Other features ask these; they do not reach into series, words, periods or queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for

from ..extensions import db
from ..models import Measure, Site, User
from . import charts, periods, queries, series, words
from .periods import period_start

__all__ = ["SiteChart", "Submission", "latest_signal", "period_start", "site_chart",
           "submissions"]


@dataclass(frozen=True)
class SiteChart:
    """What a page needs to show one site's chart of one measure."""

    measure: Measure
    site: Site
    chart: series.Chart
    cycles: list[charts.ChartCycle]
    geometry: charts.Geometry
    summary: list[str]  # in plain words (words.summary)
    narrow: charts.Geometry  # the phone's drawing: templates show both with responsive_chart


def site_chart(measure: Measure, site: Site, user: User, *, view: str | None = None,
               title: str | None = None) -> SiteChart:
    """`measure` at `site` as `user` may see it (their drafts' cycles only if on the team)."""
    chart = load_chart(measure, site, view if view in series.VIEWS
                       else series.default_view(measure))
    cycles = load_cycles(measure, site, user)
    title = title or f"{measure.name}, {site.name}"
    geometry = charts.layout(chart, title=title, cycles=cycles)
    narrow = charts.layout(chart, title=title, cycles=cycles, narrow=True)
    return SiteChart(measure, site, chart, cycles, geometry, words.summary(chart), narrow)


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


@dataclass(frozen=True)
class Submission:
    """A site's data of one measure over a span: complete periods expected and submitted, and
    the latest signal over all its data, in words."""

    expected: int
    submitted: int
    signal: str


def submissions(measure: Measure, site_ids: list[int], start: datetime,
                end: datetime) -> dict[int, Submission]:
    """Per site, the periods of `measure` submitted between `start` and `end` (complete periods
    only) and its latest signal. Two queries, however many sites."""
    freq = measure.frequency
    first = period_start(start.date(), freq)
    if first < start.date():
        first = periods.next_period(first, freq)
    last_open = period_start(end.date(), freq)  # not yet complete
    expected = [p for p in periods.periods_between(first, last_open, freq)
                if p < last_open] if first < last_open else []
    rows: dict[int, list] = defaultdict(list)
    for row in db.session.execute(queries.value_rows(measure.id, site_ids)):
        rows[row.site_id].append(row)
    breaks: dict[int, list[date]] = defaultdict(list)
    for b in db.session.scalars(queries.phase_breaks_of(measure.id, site_ids)):
        breaks[b.site_id].append(b.period_start)
    out = {}
    for site_id in site_ids:
        have = {r.period_start for r in rows[site_id]
                if series.plotted(measure, r.numerator, r.denominator, r.value) is not None}
        out[site_id] = Submission(len(expected), len(have.intersection(expected)),
                                  latest_signal(measure, rows[site_id], breaks[site_id]))
    return out


def latest_signal(measure: Measure, rows: list, break_dates: list[date]) -> str:
    """The measure's latest point and what its chart says about it, in words."""
    points = series.build_points(measure, rows)
    if not points:
        return "No data yet"
    chart = series.build_chart(measure, points, break_dates, series.default_view(measure))
    latest = chart.latest
    value = words.format_value(measure, latest.value) if latest else ""
    when = periods.label(latest.period, measure.frequency) if latest else ""
    if chart.result is None or chart.result.variation_icon is None:
        return f"{value} ({when}); too little data for a signal" if latest else "No data yet"
    # The variation icon is about the latest point only: said beside that point's value.
    said = words.VARIATION_WORDS[chart.result.variation_icon]
    return f"{value} ({when}): {said}"
