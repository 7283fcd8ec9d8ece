"""Charts and their drawings, kept by each app server between requests (`core.memo`).

Computing a site's SPC chart and laying it out as SVG shapes is most of a dashboard's, a measure
page's or a cycle's time, and the same chart is drawn again and again while its data stands
still. Both are pure functions of what they are drawn from, so that is the key: the measure's
every column (any edit of the measure is a new key), the points themselves, the phase breaks,
the point flags, the view and chart type; then for the drawing, the chart's key and every
layout setting (title, cycles, notes, highlight...). New data is a new key: nothing can be
stale, so nothing needs invalidating, on one server or many.

Keys are digests of those parts (`core.memo.digest`), and the results are kept packed: about
3, 5 and 6 kB for a chart, a drawing and its markup, a tenth of them as objects. Each caller
gets its own copy, with its own measure on the chart (a kept chart holds no model object).
"""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import get_template_attribute
from markupsafe import Markup

from ..core.memo import digest, kept
from ..models import Measure
from . import charts, series, words

# A national collaborative's charts in daily use (150 sites, a handful of measures each) fit,
# in about 3 + 7.5 + 6 + 1.5 MB per worker (charts, drawings, markup, tables).
CHARTS_KEPT = 1000
DRAWINGS_KEPT = 1500  # a chart is drawn two or three ways (wide, phone, thumbnail)
SVGS_KEPT = 1000
TABLES_KEPT = 300  # a measure page's table of every period (~5 kB packed)


class _Flag(NamedTuple):
    """What a chart reads of a point flag (`series.flag_indices`)."""

    period_start: date
    kind: str


def measure_key(measure: Measure) -> tuple:
    """Every column of the measure: whatever a chart or its words read of it."""
    return tuple(getattr(measure, a.key) for a in sa.inspect(Measure).column_attrs)


def chart(measure: Measure, rows: Iterable, break_dates: Iterable[date], view: str, *,
          chart_type: series.ChartType | None = None, flags: Iterable = ()) -> series.Chart:
    """`series.build_chart` of the points `series.build_points` makes of `rows` (plain rows of
    stored values, as `queries.value_rows_of` reads them), kept: the same rows and arguments
    give the same chart."""
    rows, break_dates = list(rows), tuple(break_dates)
    flags = tuple(sorted({(f.period_start, f.kind) for f in flags}))
    key = digest(measure_key(measure), [tuple(r) for r in rows], break_dates, view,
                 chart_type, flags)
    made = kept("charts", CHARTS_KEPT, key, lambda: replace(series.build_chart(
        measure, series.build_points(measure, rows), break_dates, view,
        chart_type=chart_type, flags=[_Flag(*f) for f in flags]), measure=None, key=key),
        packed=True)
    return replace(made, measure=measure)


def layout(chart: series.Chart, **settings) -> charts.Geometry:
    """`charts.layout`, kept for a chart made by `chart` (others are laid out every time)."""
    if chart.key is None:
        return charts.layout(chart, **settings)
    key = digest(chart.key, sorted(settings.items()))
    return kept("drawings", DRAWINGS_KEPT, key,
                lambda: _keyed(charts.layout(chart, **settings), key), packed=True)


def svg(g: charts.Geometry, uid: str, extra_class: str = "") -> Markup:
    """The drawing as SVG markup (`draw` in templates/measures/_chart_svg.html), kept for a
    drawing made by `layout`: it is a function of the drawing's key and these two."""
    return kept("svgs", SVGS_KEPT, g.key and (g.key, uid, extra_class), lambda: (
        get_template_attribute("measures/_chart_svg.html", "draw")(g, uid, extra_class)),
        packed=True)


def data_table(chart: series.Chart, centre_name: str) -> Markup:
    """The measure page's table of every period of the chart (`data_table` in
    templates/measures/_data_table.html), kept for a chart made by `chart`."""
    return kept("data_tables", TABLES_KEPT, chart.key and (chart.key, centre_name), lambda: (
        get_template_attribute("measures/_data_table.html", "data_table")(
            chart.measure, words.table_rows(chart), centre_name)), packed=True)


def _keyed(g: charts.Geometry, key: bytes) -> charts.Geometry:
    # `svg` trusts the key: a caller never changes a kept drawing's fields (none does; each
    # gets its own copy, to read).
    g.key = key
    return g
