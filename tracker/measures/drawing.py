"""Charts and their drawings, kept by each app server between requests (`core.memo`).

Computing a site's SPC chart and laying it out as SVG shapes is most of a dashboard's, a measure
page's or a cycle's time, and the same chart is drawn again and again while its data stands
still. Both are pure functions of what they are drawn from, so that is the key: the measure's
every column (any edit of the measure is a new key), the points themselves, the phase breaks,
the point flags, the view and chart type; then for the drawing, the chart's key and every
layout setting (title, cycles, notes, highlight...). New data is a new key: nothing can be
stale, so nothing needs invalidating, on one server or many.

Callers get their own copy of the measure on the chart, never another request's (a kept
chart holds no model object across requests).
"""

import copy
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import get_template_attribute
from markupsafe import Markup

from ..core.memo import Key, kept
from ..models import Measure
from . import charts, series

# A national collaborative's charts in daily use (150 sites, a handful of measures each) fit.
CHARTS_KEPT = 500
DRAWINGS_KEPT = 1000  # a chart is drawn two or three ways (wide, phone, thumbnail)
SVGS_KEPT = 500  # the markup of the drawings most looked at (~25 kB each)


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
    key = Key(measure_key(measure), tuple(map(tuple, rows)), break_dates, view, chart_type,
              flags)
    made = kept("charts", CHARTS_KEPT, key, lambda: replace(series.build_chart(
        measure, series.build_points(measure, rows), break_dates, view,
        chart_type=chart_type, flags=[_Flag(*f) for f in flags]), measure=None, key=key))
    return replace(made, measure=measure)


def layout(chart: series.Chart, **settings) -> charts.Geometry:
    """`charts.layout`, kept for a chart made by `chart` (others are laid out every time).
    Each caller gets its own Geometry (a shallow copy: its lists are shared, never changed)."""
    if chart.key is None:
        return charts.layout(chart, **settings)
    key = Key(chart.key, tuple(sorted((name, _hashable(v)) for name, v in settings.items())))
    return copy.copy(kept("drawings", DRAWINGS_KEPT, key, lambda: _keyed(
        charts.layout(chart, **settings), key)))


def svg(g: charts.Geometry, uid: str, extra_class: str = "") -> Markup:
    """The drawing as SVG markup (`draw` in templates/measures/_chart_svg.html), kept for a
    drawing made by `layout`: it is a function of the drawing's key and these two."""
    def draw() -> Markup:
        return get_template_attribute("measures/_chart_svg.html", "draw")(g, uid, extra_class)

    return draw() if g.key is None else kept("svgs", SVGS_KEPT, Key(g.key, uid, extra_class), draw)


def _keyed(g: charts.Geometry, key: Key) -> charts.Geometry:
    g.key = key
    return g


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value
