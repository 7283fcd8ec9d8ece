"""Chart downloads (SVG, the chart's data as CSV) and small multiples across sites."""

from collections import defaultdict

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core import audit
from ...core.args import arg_id
from ...core.exports import download_name
from ...extensions import db
from ...spc import VariationIcon
from .. import bp, charts, queries, series, words
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


@bp.get("/<id:measure_id>/sites")
@login_required
def sites(measure_id: int):
    """One measure at every site on the same axes, with signals and icons; sortable."""
    measure = get_measure_or_404(measure_id)
    if not measure.is_core:
        return redirect(url_for("measures.detail", measure_id=measure.id))
    view, sort = _view(measure), request.args.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    all_sites = db.session.execute(queries.chart_sites(measure, current_user)).scalars().all()
    ids = [s.id for s in all_sites]
    # Four queries whatever the number of sites: sites, values, phase breaks, point flags.
    values, breaks, flags = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in db.session.execute(queries.value_rows(measure.id, ids)):
        values[row.site_id].append(row)
    for b in db.session.execute(queries.phase_breaks_of(measure.id, ids)).scalars():
        breaks[b.site_id].append(b.period_start)
    for fl in db.session.execute(queries.point_flags_of(measure.id, ids)).scalars():
        flags[fl.site_id].append(fl)
    built = [(s, series.build_chart(measure, series.build_points(measure, values[s.id]),
                                    breaks[s.id], view, flags=flags[s.id]))
             for s in all_sites]
    with_data = [c for _, c in built if c.points]
    yr = charts.y_range(with_data) if with_data else None
    xr = (min(c.points[0].period for c in with_data),
          max(c.points[-1].period for c in with_data)) if with_data else None
    cards = [
        {"site": s, "chart": c, "latest": c.latest, "badges": charts.badges(c),
         "geometry": charts.layout(c, title=s.name, yr=yr, xr=xr, compact=True)}
        for s, c in built
    ]
    if sort == "latest":
        cards.sort(key=lambda k: (k["latest"] is None,
                                  -(k["latest"].value if k["latest"] else 0), k["site"].name))
    elif sort == "signal":
        cards.sort(key=lambda k: (SIGNAL_RANK.get(
            k["chart"].result.variation_icon if k["chart"].result else None, 4), k["site"].name))
    return render_template("measures/sites.html", measure=measure, cards=cards, view=view,
                           sort=sort, chart_name=series.CHART_NAMES[built[0][1].chart]
                           if built else "", format_value=words.format_value)

