"""Chart downloads (SVG, the chart's data as CSV) and small multiples across sites."""

from datetime import date

import sqlalchemy as sa
from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import Pagination

from ...core import audit
from ...core.args import arg_id
from ...core.exports import download_name
from ...core.paging import QueryPage, ResultPage, page_number
from ...core.versions import kept_body, version_first
from ...extensions import db
from ...models import MeasureValue, Site, utcnow
from ...spc import PointType, VariationIcon
from .. import bp, charts, drawing, periods, queries, series, summaries, words
from ..chart_svg.shapes import COLOURS
from ..chart_svg.sparkline import shared_range, sparkline
from ..front import load_chart, load_cycles, load_notes, note_items
from ..loaders import get_measure_or_404, get_measure_site_or_404
from ..transfer import csv_response

SORTS = ("name", "latest", "signal")
# Sorting by signal: concerns first (who may need help), then improvements, then the rest.
SIGNAL_RANK = {
    VariationIcon.CONCERN_HIGH: 0, VariationIcon.CONCERN_LOW: 0,
    VariationIcon.IMPROVEMENT_HIGH: 1, VariationIcon.IMPROVEMENT_LOW: 1,
    VariationIcon.NEUTRAL_HIGH: 2, VariationIcon.NEUTRAL_LOW: 2,
    VariationIcon.COMMON_CAUSE: 3, None: 4,
}


def _view(measure) -> str:
    view = request.args.get("view")
    return view if view in series.VIEWS else series.default_view(measure)


@bp.get("/<id:measure_id>/chart.svg")
@login_required
def chart_svg(measure_id: int):
    """The chart as a standalone SVG file (for slides and reports)."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"))
    chart = load_chart(measure, site, _view(measure))
    geometry = drawing.layout(chart, title=f"{measure.name}, {site.name}",
                              cycles=load_cycles(measure, site, current_user),
                              notes=note_items(load_notes(measure, site)))
    body = render_template("measures/chart.svg", geometry=geometry)
    return Response(body, mimetype="image/svg+xml", headers={
        "Content-Disposition":
            f'attachment; filename="{download_name(measure.name, site.name)}.svg"'})


@bp.get("/<id:measure_id>/chart.csv")
@login_required
def chart_csv(measure_id: int):
    """The chart's data: each period's values, centre, limits and signal."""
    measure = get_measure_or_404(measure_id)
    site = get_measure_site_or_404(measure, arg_id(request.args, "site_id"))
    chart = load_chart(measure, site, _view(measure))
    r = chart.result
    header = ["period_start", "numerator", "denominator", "value", "centre", "lower_limit",
              "upper_limit", "signal", "point_type", "note", "marked"]
    rows = []
    for i, p in enumerate(chart.points):
        lines = [r.centre[i], r.lower[i], r.upper[i]] if r else [None] * 3
        rows.append([p.period.isoformat(), p.numerator, p.denominator, p.value, *lines,
                     r.labels[i].value if r else "",
                     (r.point_types[i] or "") if r else "", p.note,
                     "excluded" if i in chart.excluded else
                     "astronomical" if i in chart.astronomical else ""])
    name = f"{download_name(measure.name, site.name)}-chart.csv"
    audit.exported("measure_chart", obj=measure, detail=name, site_id=site.id)
    return csv_response(header, rows, name)


# Small multiples show this many sites a page (sorted across all of them): a national
# collaborative's 150 sites would otherwise be 150 charts in one page.
PAGE_SIZE = 24


@bp.get("/<id:measure_id>/sites")
@version_first
@login_required
def sites(measure_id: int):
    """One measure at every site: each site's latest value, signal icons and a thumbnail of
    its recent data on shared axes, from the stored chart summaries (no chart is computed);
    filtered by network, sortable, a page at a time. A fixed number of queries whatever the
    number of sites, and only the page's summaries read (a 1,500-site collaborative's would
    be 1,500): the measure, its networks, the sites' count and latest period, the page's
    sites and their summaries (and every site's recent values when the y axis is not 0-100%).
    Should any site's summary be missing or out of date, every site's is read and sorted here
    instead (a missing one is computed live)."""
    measure = get_measure_or_404(measure_id)
    if not measure.is_core:
        return redirect(url_for("measures.detail", measure_id=measure.id))

    def made() -> str:  # kept until the data changes: it reads every site's summary
        view, sort = _view(measure), request.args.get("sort", "name")
        sort = sort if sort in SORTS else "name"
        networks = db.session.scalars(queries.networks_of(measure)).all()
        network = next((n for n in networks if n.id == arg_id(request.args, "network")), None)
        query = queries.chart_sites(measure, current_user)
        if network is not None:
            query = query.where(Site.network_id == network.id)
        stored = summaries.stored(measure, view)
        ids = query.with_only_columns(Site.id).order_by(None).subquery()
        has_values = sa.exists().where(MeasureValue.measure_id == measure.id,
                                       MeasureValue.site_id == ids.c.id)
        total, unsummed, last = db.session.execute(
            sa.select(sa.func.count(ids.c.id),
                      sa.func.count(sa.case((stored.c.site_id.is_(None) & has_values, 1))),
                      sa.func.max(stored.c.latest_period))
            .select_from(ids.outerjoin(stored, stored.c.site_id == ids.c.id))).one()
        number = min(page_number(request.args), max(1, -(-total // PAGE_SIZE)))
        if not unsummed:  # a site with no summary has no data (no chart to compute)
            shown, yr = _page_in_sql(measure, view, query, stored, sort, number, total, last)
        else:
            shown, last, yr = _page_read_whole(measure, view, query, sort, number)
        _thumbnails(measure, shown, last, yr)
        chart = series.chart_for_view(measure, view)[0]
        args = {"sort": sort, "view": view, "network": network.id if network else None}
        return render_template("measures/_sites_body.html", measure=measure,
                               cards=shown.items, page=shown, view=view, sort=sort, total=total,
                               networks=networks, network=network, args=args,
                               chart_name=series.CHART_NAMES[chart],
                               format_value=words.format_value)

    return render_template("measures/sites.html", measure=measure,
                           body=kept_body("measure_sites", utcnow(), made))


def _signal_rank(icon):
    """SIGNAL_RANK in SQL, on a stored summary's variation icon."""
    return sa.case({i.value: rank for i, rank in SIGNAL_RANK.items() if i is not None},
                   value=icon, else_=SIGNAL_RANK[None])


def _page_in_sql(measure, view: str, query, stored, sort: str, number: int, total: int,
                 last) -> tuple[Pagination, tuple[float, float] | None]:
    """The page's cards, sorted and cut in SQL; the y range every site's thumbnail shares."""
    order = {"name": (), "latest": (stored.c.latest_period.is_(None),
                                     sa.func.coalesce(stored.c.latest_value, 0).desc()),
             "signal": (_signal_rank(stored.c.variation_icon),)}[sort]
    ordered = (query.outerjoin(stored, stored.c.site_id == Site.id)
               .add_columns(stored.c.site_id.is_not(None)).order_by(None)
               .order_by(*order, Site.name, Site.id))
    page = QueryPage(ordered, rows=True, page=number, per_page=PAGE_SIZE, total=total)
    charted = summaries.load([measure], [s.id for s, summed in page.items if summed], view)
    page.items = [{"site": s, "summary": charted[(measure.id, s.id)] if summed
                   else summaries.compute(measure, s.id, [], [], view)}
                  for s, summed in page.items]
    yr = None
    if last is not None and not measure.is_proportion:  # proportions: 0-100% (shared_range)
        recent = db.session.scalars(query.join(stored, stored.c.site_id == Site.id)
                                    .with_only_columns(stored.c.recent).order_by(None))
        first = _first_shown(measure, last)
        yr = shared_range([v for r in recent for p, v in (r or [])
                           if v is not None and date.fromisoformat(p) >= first],
                          percent=False)
    elif last is not None:
        yr = shared_range([], percent=True)
    return page, yr


def _page_read_whole(measure, view: str, query, sort: str, number: int
                     ) -> tuple[Pagination, object, tuple[float, float] | None]:
    """The page's cards, every site's summary read (or computed) and sorted here; the latest
    period anyone has and the shared y range."""
    all_sites = db.session.execute(query).scalars().all()
    charted = summaries.load([measure], [s.id for s in all_sites], view)
    cards = [{"site": s, "summary": charted[(measure.id, s.id)]} for s in all_sites]
    if sort == "latest":
        cards.sort(key=lambda k: (not k["summary"].has_data,
                                  -(k["summary"].latest_value or 0), k["site"].name))
    elif sort == "signal":
        cards.sort(key=lambda k: (SIGNAL_RANK.get(k["summary"].variation_icon, 4),
                                  k["site"].name))
    with_data = [k["summary"] for k in cards if k["summary"].has_data]
    last = max((s.latest_period for s in with_data), default=None)
    yr = None
    if last is not None:
        first = _first_shown(measure, last)
        yr = shared_range([v for s in with_data for p, v in s.recent
                           if v is not None and p >= first], percent=measure.is_proportion)
    start = (number - 1) * PAGE_SIZE
    return (ResultPage(cards[start:start + PAGE_SIZE], page=number, per_page=PAGE_SIZE,
                       total=len(cards)), last, yr)


def _first_shown(measure, last):
    """The first of the RECENT periods the thumbnails show, up to `last`."""
    first = last
    for _ in range(summaries.RECENT - 1):
        first = periods.previous_period(first, measure.frequency)
    return first


def _thumbnails(measure, shown: Pagination, last, yr) -> None:
    """Each shown card's badges and thumbnail, on axes shared by every site filtered (so
    pages compare too): the periods up to the latest anyone has (`last`), one y range."""
    if last is None:
        for card in shown.items:
            card["badges"], card["spark"] = [], None
        return
    freq = measure.frequency
    first = _first_shown(measure, last)
    grid = periods.periods_between(first, last, freq)
    for card in shown.items:
        s = card["summary"]
        card["badges"] = charts.icon_badges(freq, s.variation_icon, s.assurance_icon)
        colour = card["badges"][0].colour if s.variation_icon else COLOURS[
            PointType.COMMON_CAUSE]
        card["spark"] = sparkline(s.recent, grid, yr, s.centre, colour) if s.has_data else None
        card["grid"] = (periods.label(first, freq), periods.label(last, freq))
        card["axes"] = f"{first}/{last} {yr[0]:g}-{yr[1]:g}"
