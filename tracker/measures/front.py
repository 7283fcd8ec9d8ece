"""The feature's front door for others (reports, dashboards): a measure's chart at a site with
its summary and cycles, what data sites submitted over a span, the latest signal in words.

Other features ask these; they do not reach into series, words, periods or queries."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for

from ..extensions import db
from ..models import Collaborative, Measure, MeasureKind, MeasureValue, Site, User
from . import bundles, charts, drawing, periods, queries, series, summaries, words
from .periods import period_start
from .transfer import MAX_BYTES, FileProblem, find_nhs_number, read_table

# Reading a spreadsheet (CSV or XLSX, safely bounded) is shared with the people import.
__all__ = ["MAX_BYTES", "FileProblem", "MeasureAtSite", "SiteChart", "Submission",
           "charts_at_site", "compact_chart", "find_nhs_number", "latest_signal", "main_measure",
           "main_measure_with_summaries", "measure_at_sites", "measures_at_sites",
           "period_start", "pick_main", "read_table", "signal_words", "site_chart",
           "submissions"]


# How many complete periods back a dashboard looks for gaps in a site's data.
RECENT_PERIODS = 8


def main_measure(collaborative_id: int) -> Measure | None:
    """The collaborative's main measure (see `pick_main`): one query."""
    return db.session.scalars(db.select(Measure).where(
        Measure.id == _main_measure_id(collaborative_id))).first()


def main_measure_with_summaries(collaborative_id: int, site_ids: Collection[int]
                                ) -> tuple[Measure | None, list]:
    """The collaborative's main measure and its stored chart summaries at these sites (for
    `summaries.load(..., rows=)`), in one query."""
    found, stored = summaries.with_summaries(
        db.select(Measure).where(Measure.id == _main_measure_id(collaborative_id)), site_ids)
    return (found[0] if found else None), stored


def _main_measure_id(collaborative_id: int):
    """`pick_main` in SQL, as a scalar subquery: the aim's measure when one is chosen, else
    the first core outcome measure that is no component (else such a process measure)."""
    aim = (db.select(Collaborative.aim_measure_id)
           .where(Collaborative.id == collaborative_id).scalar_subquery())
    return (db.select(Measure.id)
            .where(Measure.collaborative_id == collaborative_id, Measure.site_id.is_(None),
                   Measure.deleted_at.is_(None),
                   (Measure.id == aim) | Measure.composite_id.is_(None))
            .order_by(sa.case((Measure.id == aim, 0), else_=1),
                      sa.case((Measure.kind == MeasureKind.OUTCOME, 0), else_=1),
                      Measure.position, Measure.id)
            .limit(1).scalar_subquery())


def pick_main(measures, *, aim_measure_id: int | None = None) -> Measure | None:
    """The main measure among a collaborative's: the aim's measure when one is chosen, else
    its first core outcome measure (not a component; a process measure when it has no
    outcome measure)."""
    measures = [m for m in measures if m.site_id is None and m.deleted_at is None]
    aimed = [m for m in measures if m.id == aim_measure_id]
    core = [m for m in measures if m.composite_id is None]
    return aimed[0] if aimed else min(
        core, key=lambda m: (m.kind != MeasureKind.OUTCOME, m.position, m.id), default=None)


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
               title: str | None = None, compact: bool = False,
               highlight: tuple[date, date | None, str] | None = None) -> SiteChart:
    """`measure` at `site` as `user` may see it (their drafts' cycles only if on the team);
    `compact` draws the small chart of dashboards and small multiples; `highlight` (start,
    end, title) shades a cycle's test period. Four queries (three for a compact one)."""
    chart = load_chart(measure, site, view if view in series.VIEWS
                       else series.default_view(measure))
    cycles = load_cycles(measure, site, user)
    # Notes are listed under a full chart; the small one of dashboards leaves them out.
    notes = [] if compact else note_items(load_notes(measure, site))
    title = title or f"{measure.name}, {site.name}"
    geometry = drawing.layout(chart, title=title, cycles=cycles, compact=compact, notes=notes,
                              highlight=highlight)
    narrow = drawing.layout(chart, title=title, cycles=cycles, narrow=True, notes=notes,
                            highlight=highlight)
    return SiteChart(measure, site, chart, cycles, geometry, words.summary(chart), narrow)


def charts_at_site(measures: Collection[Measure], site: Site, user: User, *,
                   highlight: tuple[date, date | None, str] | None = None
                   ) -> list[SiteChart]:
    """Several measures' charts at one site (e.g. a cycle's linked measures), each with its
    cycles, notes, phases and flags, and `highlight` shading a test period. Six queries
    however many measures."""
    measures = [m for m in measures if m.deleted_at is None and m.can_chart_at(site)]
    if not measures:
        return []
    ids = [m.id for m in measures]
    built, _, _ = charts_of_measures(measures, site, {})
    notes: dict[int, list] = defaultdict(list)
    for n in db.session.scalars(queries.chart_notes_at(ids, site.id)):
        notes[n.measure_id].append(charts.ChartNoteItem(n.on_date, n.text))
    cycles: dict[int, list] = defaultdict(list)
    for measure_id, c in db.session.execute(queries.cycles_on_charts(ids, site.id, user)):
        cycles[measure_id].append(charts.ChartCycle(c.id, c.title, c.do_started_on,
                                                    url_for("cycles.detail", cycle_id=c.id)))
    out = []
    for m in measures:
        chart = built[m.id]
        kw = {"title": f"{m.name}, {site.name}", "cycles": cycles[m.id], "notes": notes[m.id],
              "highlight": highlight}
        out.append(SiteChart(m, site, chart, cycles[m.id], drawing.layout(chart, **kw),
                             words.summary(chart), drawing.layout(chart, narrow=True, **kw)))
    return out


def load_chart(measure: Measure, site: Site, view: str,
               chart_type: series.ChartType | None = None) -> series.Chart:
    """One site's chart of a measure: its values on the period grid, phases applied, excluded
    and astronomical points honoured (two queries: values; phase breaks and flags)."""
    rows = db.session.execute(queries.value_rows_of([measure.id], [site.id]))
    marks = db.session.execute(queries.chart_marks_of(measure.id, site.id)).all()
    return drawing.chart(measure, rows,
                         [m.period_start for m in marks if m.kind == queries.PHASE_BREAK],
                         view, chart_type=chart_type,
                         flags=[m for m in marks if m.kind != queries.PHASE_BREAK])


def charts_of_measures(measures: list[Measure], site: Site, views: dict[int, str],
                       chart_types: dict[int, series.ChartType | None] | None = None
                       ) -> tuple[dict[int, series.Chart], dict[int, list], dict[int, list]]:
    """Several measures' charts at one site (each in its view from `views`, else its
    default, and its chart type from `chart_types`, else its own), their phase breaks in
    force and every point flag ever set, cleared ones too (the charts use those in force):
    three queries however many measures."""
    ids = [m.id for m in measures]
    rows: dict[int, list] = defaultdict(list)
    for row in db.session.execute(queries.value_rows_of(ids, [site.id])):
        rows[row.measure_id].append(row)
    breaks: dict[int, list] = defaultdict(list)
    for b in db.session.scalars(queries.phase_breaks_at(ids, [site.id])):
        breaks[b.measure_id].append(b)
    flags: dict[int, list] = defaultdict(list)
    for fl in db.session.scalars(queries.point_flags_at(ids, [site.id], cleared=True)):
        flags[fl.measure_id].append(fl)
    chart_types = chart_types or {}
    built = {
        m.id: drawing.chart(m, rows[m.id],
                            [b.period_start for b in breaks[m.id]],
                            views.get(m.id) or series.default_view(m),
                            chart_type=chart_types.get(m.id),
                            flags=[f for f in flags[m.id] if f.deleted_at is None])
        for m in measures
    }
    return built, breaks, flags


def load_notes(measure: Measure, site: Site) -> list:
    """The annotations in force on a site's chart of a measure (ChartNote rows, by date)."""
    return db.session.execute(queries.chart_notes_of(measure.id, site.id)).scalars().all()


def note_items(notes) -> list[charts.ChartNoteItem]:
    return [charts.ChartNoteItem(n.on_date, n.text) for n in notes]


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
                end: datetime, *, stored: list | None = None) -> dict[int, Submission]:
    """Per site, the periods of `measure` submitted between `start` and `end` (complete periods
    only) and its latest signal (from the stored chart summaries; `stored`, those already read,
    see `main_measure_with_summaries`). Two queries, however many sites (one with `stored`)."""
    freq = measure.frequency
    first = period_start(start.date(), freq)
    if first < start.date():
        first = periods.next_period(first, freq)
    last_open = period_start(end.date(), freq)  # not yet complete
    expected = [p for p in periods.periods_between(first, last_open, freq)
                if p < last_open] if first < last_open else []
    have: dict[int, set[date]] = defaultdict(set)
    if expected:
        for r in db.session.execute(queries.value_rows(measure.id, site_ids).where(
                MeasureValue.period_start.between(expected[0], expected[-1]))):
            if series.plotted(measure, r.numerator, r.denominator, r.value) is not None:
                have[r.site_id].add(r.period_start)
    charted = summaries.load([measure], site_ids, rows=stored)
    return {site_id: Submission(len(expected), len(have[site_id].intersection(expected)),
                                signal_words(charted[(measure.id, site_id)]))
            for site_id in site_ids}


def latest_signal(measure: Measure, rows: list, break_dates: list[date],
                  flags: Collection = ()) -> str:
    """The measure's latest point and what its chart says about it, in words (computed live:
    `signal_words` says it of a stored summary)."""
    return signal_words(summaries.compute(measure, 0, rows, break_dates,
                                          series.default_view(measure), flags))


def signal_words(summary: summaries.Summary) -> str:
    """A chart summary's latest point and what the chart says about it, in words."""
    measure = summary.measure
    if not summary.has_data:
        return "No data yet"
    value = words.format_value(measure, summary.latest_value)
    when = periods.label(summary.latest_period, measure.frequency)
    if summary.variation_icon is None:
        return f"{value} ({when}); too little data for a signal"
    # The variation icon is about the latest point only: said beside that point's value.
    return f"{value} ({when}): {words.VARIATION_WORDS[summary.variation_icon]}"


@dataclass(frozen=True)
class MeasureAtSite:
    """One measure at one site for a dashboard: its latest value and signal icons, and whether
    the current period's data is still to come (with where to enter it)."""

    measure: Measure
    site: Site
    latest: str  # '72%', or '' with no data yet
    latest_period: str  # 'week of 3 Mar 2026'
    badges: list[charts.Badge]
    due: str  # the current period, '' once its data is in: 'this week (from 30 Nov 2026)'
    gaps: int  # of the last RECENT_PERIODS complete periods, how many have no data
    gap_words: str  # '3 of the last 8 weeks have no data' ('' without gaps)
    grid_url: str
    tally_url: str  # '' when the ward tally cannot count this measure
    url: str
    summary: summaries.Summary  # the chart summed up (stored, or computed if none is)


def measures_at_sites(sites: Collection[Site], today: date) -> dict[int, list[MeasureAtSite]]:
    """Per site, its measures (its collaborative's core ones, then its own), with the latest
    value, signal icons and the current period's data still missing, from the stored chart
    summaries. One query however many sites and measures (three more when some summary is
    missing); a bundle's parts ride with the bundle when the tally counts them.
    """
    sites = list(sites)
    if not sites:
        return {}
    site_ids = [s.id for s in sites]
    # The core measures and these sites' own, not every site's (a national collaborative
    # has a dozen per site: 1,800 rows read to show 19).
    live, stored = summaries.with_summaries(
        db.select(Measure).where(
            Measure.collaborative_id.in_({s.collaborative_id for s in sites}),
            Measure.site_id.is_(None) | Measure.site_id.in_(site_ids),
            Measure.deleted_at.is_(None))
        .order_by(Measure.position, Measure.name), site_ids)
    heads = bundles.tally_heads(live)
    folded = {m.id for m in live if m.composite_id in heads}
    shown = {site.id: [m for m in live if m.collaborative_id == site.collaborative_id
                       and m.site_id in (None, site.id) and m.id not in folded]
             for site in sites}
    charted = summaries.load({m for ms in shown.values() for m in ms}, site_ids, rows=stored)
    return {site.id: [_at_site(m, site, charted[(m.id, site.id)], tally=m.id in heads,
                               today=today) for m in shown[site.id]]
            for site in sites}


def measure_at_sites(measure: Measure, sites: Collection[Site], today: date, *,
                     stored: list | None = None) -> list[MeasureAtSite]:
    """One measure at each of some sites (in their order): latest value, icons, gaps, from
    the stored chart summaries (`stored`: those already read, see
    `main_measure_with_summaries`). One query however many sites, none with `stored` (three
    more when some summary is missing)."""
    charted = summaries.load([measure], [s.id for s in sites], rows=stored)
    return [_at_site(measure, s, charted[(measure.id, s.id)], tally=False, today=today)
            for s in sites]


def _at_site(measure: Measure, site: Site, summary: summaries.Summary, *,
             tally: bool, today: date) -> MeasureAtSite:
    freq = measure.frequency
    now = periods.current_period(freq, today)
    # The summary keeps the last periods up to the latest with data: the current and recent
    # periods are among them unless values were entered far ahead of today.
    have = summary.periods_with_data()
    due = "" if now in have else f"this {periods.unit(freq)} (from {periods.label(now, freq)})"
    recent = periods.recent_periods(freq, RECENT_PERIODS + 1, today)[1:]
    gaps = len(set(recent) - have)
    gap_words = (f"{gaps} of the last {RECENT_PERIODS} {periods.unit(freq, RECENT_PERIODS)} "
                 f"{'has' if gaps == 1 else 'have'} no data") if gaps else ""
    latest = summary.latest_period
    return MeasureAtSite(
        measure, site, words.format_value(measure, summary.latest_value) if latest else "",
        f"{periods.unit(freq)} of {periods.label(latest, freq)}" if latest else "",
        charts.icon_badges(freq, summary.variation_icon, summary.assurance_icon), due, gaps,
        gap_words,
        url_for("measures.grid", measure_id=measure.id, site_id=site.id),
        url_for("measures.tally", measure_id=measure.id, site_id=site.id) if tally else "",
        url_for("measures.detail", measure_id=measure.id, site_id=site.id), summary)


def compact_chart(at: MeasureAtSite, user: User) -> SiteChart:
    """The small chart of a measure summed up by `measures_at_sites`, with its cycles (three
    queries: values, phase breaks with flags, cycles)."""
    return site_chart(at.measure, at.site, user, compact=True)
