"""Chart geometry: a computed series laid out as SVG shapes for `measures/_chart_svg.html`.

Everything is computed here (with the parts in `chart_svg/`) so the template only places shapes.
"""

from dataclasses import dataclass
from datetime import date

from ..spc import AssuranceIcon, PointType, VariationIcon
from . import periods
from .chart_svg.annotations import cycle_flags, note_letter, note_marks, phase_breaks, test_band
from .chart_svg.axes import Scale, nice_step, non_negative, x_ticks, y_range, y_ticks
from .chart_svg.legend import legend
from .chart_svg.marks import data_lines, limit_lines, point_marks, steps, target_line
from .chart_svg.shapes import COLOURS, Annotation, ChartCycle, ChartNoteItem, Geometry, Mark
from .series import CHART_NAMES, Chart
from .words import ASSURANCE_WORDS, VARIATION_WORDS

__all__ = [
    "COLOURS", "Annotation", "Badge", "ChartCycle", "ChartNoteItem", "Geometry", "Mark",
    "badges", "chart_kind_words", "icon_badges", "layout", "nice_step", "note_letter",
    "y_range",
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
    narrow: bool = False,
    notes: list[ChartNoteItem] = (),
    highlight: tuple[date, date | None, str] | None = None,
) -> Geometry:
    """Lay out one chart. `yr`/`xr` share axes across small multiples; `point_href` is a
    pattern with `{period}` linking each point to its row in the details table; `narrow`
    is the phone layout (fewer labels, bigger text and marks), drawn at about 1:1 on a
    360 px screen so its text stays at least 11 px high. `notes` are free-text annotations
    (lettered diamonds on the x-axis, as listed under the chart); `highlight` (start, end,
    title) shades a cycle's test period."""
    g = _frame(chart, title, compact, narrow)
    points, freq = list(chart.points), chart.measure.frequency
    grid = [p.period for p in points]
    if xr is not None:  # small multiples: one x-axis for every site
        grid = periods.periods_between(xr[0], xr[1], freq)
    if not points or not grid or chart.result is None:
        g.message = chart.error or "No data yet"
        g.description = g.message
        return g
    scale = _scale(g, chart, grid, yr or y_range([chart]))
    sparse = compact or narrow
    g.y_ticks = y_ticks(scale, compact=sparse, percent=chart.measure.is_proportion)
    g.x_ticks = x_ticks(scale, grid, freq, compact=sparse)
    g.lines = data_lines(points, scale)
    g.centre = steps(chart.result.centre, chart.result.phase_index, scale)
    g.limits = limit_lines(chart, scale)
    g.target = target_line(chart, scale)
    g.marks = point_marks(chart, scale, compact=compact, point_href=point_href,
                          grow=1.5 if narrow else 0)
    g.phases = phase_breaks(chart, scale)
    g.cycles = cycle_flags(chart, cycles, grid, scale, flag=g.flag_radius)
    g.notes = note_marks(chart, list(notes), grid, scale)
    g.bands = test_band(chart, highlight, grid, scale) if highlight else []
    g.legend = legend(g)
    if narrow and g.legend:  # the phone's legend wraps: the drawing grows to hold its rows
        g.height = max(g.height, round(g.legend_y + g.legend[-1][1] + 10))
    g.description = _description(chart)
    return g


# (width, height, left, top, right margin, bottom margin, font size) of each layout. The
# narrow one has no title (the page's heading names it) and room for a two-row legend.
FRAMES = {
    "wide": (800, 400, 60, 40, 20, 80, 12),
    "narrow": (360, 340, 44, 28, 12, 84, 13),
    # Small multiples sit in cards about 300 px wide on a phone: 14 px text stays above 11.
    "compact": (360, 170, 44, 10, 10, 26, 14),
}


def _frame(chart: Chart, title: str, compact: bool, narrow: bool = False) -> Geometry:
    """An empty chart of the right size: full width, a phone's width, or a small multiple."""
    kind = "compact" if compact else "narrow" if narrow else "wide"
    width, height, left, top, right, bottom, font = FRAMES[kind]
    centre_name = {"run": "Median", "xmr": "Mean"}.get(chart.chart.value, "Centre")
    return Geometry(width, height, left, top, width - right, height - bottom, title, "",
                    compact=compact, narrow=narrow, font_size=font,
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
    result = chart.result
    if result is None:
        return []
    return icon_badges(chart.measure.frequency, result.variation_icon, result.assurance_icon)


def icon_badges(frequency, variation: VariationIcon | None,
                assurance: AssuranceIcon | None) -> list[Badge]:
    """The badges of the two icons (from a chart, or a stored summary of one)."""
    out = []
    if variation is not None:
        colour, letter = _VARIATION_LOOK[variation]
        latest = f"Latest {periods.unit(frequency)}: "
        out.append(Badge("variation", colour, letter, latest + VARIATION_WORDS[variation]))
    if assurance is not None:
        colour, letter = _ASSURANCE_LOOK[assurance]
        out.append(Badge("assurance", colour, letter, "Target: " + ASSURANCE_WORDS[assurance]))
    return out
