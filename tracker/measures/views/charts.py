"""Chart downloads (SVG, the chart's data as CSV) and small multiples across sites."""

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core import audit
from ...core.args import arg_id
from ...core.exports import download_name
from ...extensions import db
from ...models import Site
from ...spc import PointType, VariationIcon
from .. import bp, charts, periods, queries, series, summaries, words
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
    geometry = charts.layout(chart, title=f"{measure.name}, {site.name}",
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
@login_required
def sites(measure_id: int):
    """One measure at every site: each site's latest value, signal icons and a thumbnail of
    its recent data on shared axes, from the stored chart summaries (no chart is computed);
    filtered by network, sortable, a page at a time. Four queries whatever the number of
    sites: the measure, its networks, the sites, their summaries."""
    measure = get_measure_or_404(measure_id)
    if not measure.is_core:
        return redirect(url_for("measures.detail", measure_id=measure.id))
    view, sort = _view(measure), request.args.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    networks = db.session.scalars(queries.networks_of(measure)).all()
    network = next((n for n in networks if n.id == arg_id(request.args, "network")), None)
    query = queries.chart_sites(measure, current_user)
    if network is not None:
        query = query.where(Site.network_id == network.id)
    all_sites = db.session.execute(query).scalars().all()
    charted = summaries.load([measure], [s.id for s in all_sites], view)
    cards = [{"site": s, "summary": charted[(measure.id, s.id)]} for s in all_sites]
    if sort == "latest":
        cards.sort(key=lambda k: (not k["summary"].has_data,
                                  -(k["summary"].latest_value or 0), k["site"].name))
    elif sort == "signal":
        cards.sort(key=lambda k: (SIGNAL_RANK.get(k["summary"].variation_icon, 4),
                                  k["site"].name))
    pages = max(1, -(-len(cards) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = cards[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    _thumbnails(measure, cards, shown)
    chart = series.chart_for_view(measure, view)[0]
    args = {"sort": sort, "view": view, "network": network.id if network else None}
    return render_template("measures/sites.html", measure=measure, cards=shown, view=view,
                           sort=sort, total=len(cards), page=page, pages=pages,
                           networks=networks, network=network, args=args,
                           chart_name=series.CHART_NAMES[chart],
                           format_value=words.format_value)


def _thumbnails(measure, cards: list[dict], shown: list[dict]) -> None:
    """Each shown card's badges and thumbnail, on axes shared by every site filtered (so
    pages compare too): the periods up to the latest anyone has, one y range."""
    with_data = [k["summary"] for k in cards if k["summary"].has_data]
    if not with_data:
        for card in shown:
            card["badges"], card["spark"] = [], None
        return
    freq = measure.frequency
    last = max(s.latest_period for s in with_data)
    first = last
    for _ in range(summaries.RECENT - 1):
        first = periods.previous_period(first, freq)
    grid = periods.periods_between(first, last, freq)
    yr = shared_range([v for s in with_data for p, v in s.recent if v is not None and p >= first],
                      percent=measure.is_proportion)
    for card in shown:
        s = card["summary"]
        card["badges"] = charts.icon_badges(freq, s.variation_icon, s.assurance_icon)
        colour = card["badges"][0].colour if s.variation_icon else COLOURS[
            PointType.COMMON_CAUSE]
        card["spark"] = sparkline(s.recent, grid, yr, s.centre, colour) if s.has_data else None
        card["grid"] = (periods.label(first, freq), periods.label(last, freq))
        card["axes"] = f"{first}/{last} {yr[0]:g}-{yr[1]:g}"
