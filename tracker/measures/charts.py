"""Chart geometry: a computed series laid out as SVG shapes for `measures/_chart_svg.html`.

Everything is computed here (with the parts in `chart_svg/`) so the template only places shapes.
"""

from dataclasses import dataclass
from datetime import date

from ..spc import AssuranceIcon, PointType, VariationIcon
from . import periods
from .chart_svg.annotations import cycle_flags, phase_breaks
from .chart_svg.axes import Scale, nice_step, non_negative, x_ticks, y_range, y_ticks
from .chart_svg.legend import legend
from .chart_svg.marks import data_lines, limit_lines, point_marks, steps, target_line
from .chart_svg.shapes import COLOURS, Annotation, ChartCycle, Geometry, Mark
from .series import CHART_NAMES, Chart
from .words import ASSURANCE_WORDS, VARIATION_WORDS

__all__ = [
    "COLOURS", "Annotation", "Badge", "ChartCycle", "Geometry", "Mark", "badges",
    "chart_kind_words", "layout", "nice_step", "y_range",
]  # fmt: skip


def layout(
    chart: Chart,
    *,
    title: str,
    cycles: list[ChartCycle] = (),
    point_href: str = "",
    yr: tuple[float, float] | None = None,
    xr: tuple[date, date] | None = None,
    compact: bool = False,
) -> Geometry:
    """Lay out one chart. `yr`/`xr` share axes across small multiples; `point_href` is a
    pattern with `{period}` linking each point to its row in the details table."""
    g = _frame(chart, title, compact)
    points, freq = list(chart.points), chart.measure.frequency
    grid = [p.period for p in points]
    if xr is not None:  # small multiples: one x-axis for every site
        grid = periods.periods_between(xr[0], xr[1], freq)
    if not points or not grid or chart.result is None:
        g.message = chart.error or "No data yet"
        g.description = g.message
        return g
    scale = _scale(g, chart, grid, yr or y_range([chart]))
    g.y_ticks = y_ticks(scale, compact=compact, percent=chart.measure.is_proportion)
    g.x_ticks = x_ticks(scale, grid, freq, compact=compact)
    g.lines = data_lines(points, scale)
    g.centre = steps(chart.result.centre, chart.result.phase_index, scale)
    g.limits = limit_lines(chart, scale)
    g.target = target_line(chart, scale)
    g.marks = point_marks(chart, scale, compact=compact, point_href=point_href)
    g.phases = phase_breaks(chart, scale)
    g.cycles = cycle_flags(chart, cycles, grid, scale)
    g.legend = legend(g)
    g.description = _description(chart)
    return g


def _frame(chart: Chart, title: str, compact: bool) -> Geometry:
    """An empty chart of the right size: full width, or a small multiple."""
    width, height = (360, 170) if compact else (800, 400)
    left, right = (44, width - 10) if compact else (60, width - 20)
    top, bottom = (10, height - 24) if compact else (40, height - 80)
    centre_name = {"run": "Median", "xmr": "Mean"}.get(chart.chart.value, "Centre")
    return Geometry(width, height, left, top, right, bottom, title, "", compact=compact,
                    centre_name=centre_name)  # fmt: skip


def _scale(g: Geometry, chart: Chart, grid: list[date], yr: tuple[float, float]) -> Scale:
    first = chart.points[0].period
    offset = grid.index(first) if first in grid else 0
    step = (g.right - g.left) / len(grid)
    percent = chart.measure.is_proportion
    floor = 0.0 if non_negative([chart]) else None
    return Scale(g.left, g.top, g.right, g.bottom, yr[0], yr[1], step, offset, floor,
                 100.0 if percent else None)


def _description(chart: Chart) -> str:
    """The chart in one sentence, for screen readers."""
    m, points, freq = chart.measure, chart.points, chart.measure.frequency
    first, last = points[0].period, points[-1].period
    return (f"{chart_kind_words(chart)} of {m.name}: {len(points)} "
            f"{periods.unit(freq, len(points))} from {periods.label(first, freq)} to "
            f"{periods.label(last, freq)}. The data table below lists every point.")  # fmt: skip


def chart_kind_words(chart: Chart) -> str:
    return CHART_NAMES.get(chart.chart, chart.chart.value)


@dataclass(frozen=True)
class Badge:
    """A variation or assurance icon: a coloured disc with a letter, and its meaning in words."""

    kind: str  # "variation" or "assurance"
    colour: str
    letter: str
    text: str


_VARIATION_LOOK = {
    VariationIcon.COMMON_CAUSE: (COLOURS[PointType.COMMON_CAUSE], "~"),
    VariationIcon.IMPROVEMENT_HIGH: (COLOURS[PointType.IMPROVEMENT], "H"),
    VariationIcon.IMPROVEMENT_LOW: (COLOURS[PointType.IMPROVEMENT], "L"),
    VariationIcon.CONCERN_HIGH: (COLOURS[PointType.CONCERN], "H"),
    VariationIcon.CONCERN_LOW: (COLOURS[PointType.CONCERN], "L"),
    VariationIcon.NEUTRAL_HIGH: (COLOURS[PointType.NEUTRAL_HIGH], "H"),
    VariationIcon.NEUTRAL_LOW: (COLOURS[PointType.NEUTRAL_LOW], "L"),
}
_ASSURANCE_LOOK = {
    AssuranceIcon.CONSISTENT_PASS: (COLOURS[PointType.IMPROVEMENT], "P"),
    AssuranceIcon.CONSISTENT_FAIL: (COLOURS[PointType.CONCERN], "F"),
    AssuranceIcon.INCONSISTENT: (COLOURS[PointType.COMMON_CAUSE], "?"),
}


def badges(chart: Chart) -> list[Badge]:
    """The Making Data Count variation icon (the latest point) and assurance icon (the target),
    each saying in plain words what it is about."""
    result, out = chart.result, []
    if result is None:
        return out
    if result.variation_icon is not None:
        colour, letter = _VARIATION_LOOK[result.variation_icon]
        latest = f"Latest {periods.unit(chart.measure.frequency)}: "
        out.append(Badge("variation", colour, letter,
                         latest + VARIATION_WORDS[result.variation_icon]))
    if result.assurance_icon is not None:
        colour, letter = _ASSURANCE_LOOK[result.assurance_icon]
        out.append(Badge("assurance", colour, letter,
                         "Target: " + ASSURANCE_WORDS[result.assurance_icon]))
    return out
