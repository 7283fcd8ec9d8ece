"""Chart geometry: a computed series laid out as SVG shapes for `measures/_chart_svg.html`.

Everything is computed here so the template only places shapes. Colours follow Making Data
Count (improvement blue, concern orange, common cause grey, neutral purple), darkened so each
has at least 3:1 contrast against white; the details table and the summary repeat every
signal in words, so colour is never the only cue.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from ..spc import AssuranceIcon, Label, PointType, VariationIcon
from . import periods
from .series import CHART_NAMES, Chart
from .words import ASSURANCE_WORDS, VARIATION_WORDS, format_value

COLOURS = {
    PointType.IMPROVEMENT: "#1f77b4",  # 4.8:1 on white
    PointType.CONCERN: "#c55a00",  # 4.3:1
    PointType.COMMON_CAUSE: "#6b6b6b",  # 5.3:1
    PointType.NEUTRAL_HIGH: "#5b2a86",  # 9.9:1
    PointType.NEUTRAL_LOW: "#5b2a86",
}
LEGEND_NAMES = {
    PointType.IMPROVEMENT: "Improvement",
    PointType.CONCERN: "Concern",
    PointType.NEUTRAL_HIGH: "Neutral",
    PointType.COMMON_CAUSE: "Common cause",
}
CENTRE_COLOUR = "#231f20"
LIMIT_COLOUR = "#6b6b6b"
TARGET_COLOUR = "#b3261e"
CYCLE_COLOUR = "#0b6e4f"


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    colour: str
    radius: float
    title: str
    href: str = ""
    special: bool = False


@dataclass(frozen=True)
class Annotation:
    """A PDSA cycle on the chart: a numbered flag at the period its test started."""

    x: float
    y: float  # flags of cycles starting in the same period stack downwards
    number: int
    title: str
    href: str


@dataclass(frozen=True)
class ChartCycle:
    """What the chart needs of a cycle linked to the measure."""

    id: int
    title: str
    started_on: date
    href: str = ""


@dataclass
class Geometry:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    title: str
    description: str
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # path data of the data line
    centre: str = ""
    limits: str = ""
    target: tuple[float, str] | None = None
    marks: list[Mark] = field(default_factory=list)
    phases: list[tuple[float, str]] = field(default_factory=list)  # (x, title)
    cycles: list[Annotation] = field(default_factory=list)
    legend: list[tuple[float, str, str, str]] = field(default_factory=list)  # x, kind, colour, text
    centre_name: str = "Mean"
    compact: bool = False
    message: str = ""

    @property
    def interactive(self) -> bool:
        """Whether the chart holds links (points to table rows, cycles to their pages)."""
        return any(m.href for m in self.marks) or any(c.href for c in self.cycles)


def nice_step(span: float, ticks: int) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving about `ticks` intervals."""
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def y_range(charts: list[Chart]) -> tuple[float, float]:
    """One y-axis for one or several charts: data, lines and target; percentages in 0..100."""
    seen: list[float] = []
    percent = False
    for chart in charts:
        percent = chart.measure.is_proportion
        seen += [p.value for p in chart.points if p.value is not None]
        if chart.measure.target is not None:
            seen.append(chart.measure.target)
        if chart.result:
            r = chart.result
            seen += [v for col in (r.centre, r.upper, r.lower) for v in col if v is not None]
    if not seen:
        return (0.0, 100.0) if percent else (0.0, 1.0)
    low, high = min(seen), max(seen)
    if percent:
        low, high = max(low, 0.0), min(high, 100.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = nice_step(high - low, 5)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if percent:
        low, high = max(low, 0.0), min(high, 100.0)
    return low, high


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


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
    m, freq, result = chart.measure, chart.measure.frequency, chart.result
    width, height = (360, 170) if compact else (800, 400)
    left, right = (44, width - 10) if compact else (60, width - 20)
    top, bottom = (10, height - 24) if compact else (40, height - 80)
    centre_name = {"run": "Median", "xmr": "Mean"}.get(chart.chart.value, "Centre")
    g = Geometry(width, height, left, top, right, bottom, title, "", compact=compact,
                 centre_name=centre_name)
    points = list(chart.points)
    grid = [p.period for p in points]
    if xr is not None:  # small multiples: one x-axis for every site
        grid = periods.periods_between(xr[0], xr[1], freq)
    if not points or not grid or result is None:
        g.message = chart.error or "No data yet"
        g.description = g.message
        return g
    offset = grid.index(points[0].period) if points and points[0].period in grid else 0
    step = (right - left) / len(grid)
    low, high = yr or y_range([chart])

    def x_at(i: int) -> float:
        return left + (offset + i + 0.5) * step

    def y_at(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)

    def inside(v: float | None) -> bool:
        return v is not None and low - 1e-9 <= v <= high + 1e-9

    tick = nice_step(high - low, 3 if compact else 5)
    v = math.ceil(low / tick - 1e-9) * tick
    while v <= high + 1e-9:
        g.y_ticks.append((round(y_at(v), 1), _fmt(v) + ("%" if m.is_proportion else "")))
        v += tick
    every = max(1, math.ceil(len(grid) / (3 if compact else 7)))
    for i in range(0, len(grid), every):
        text = periods.label(grid[i], freq)
        g.x_ticks.append((round(left + (i + 0.5) * step, 1), text))

    # The data line, broken at gaps.
    segment: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            if segment:
                g.lines.append("M" + " L".join(segment))
            segment = []
            continue
        segment.append(f"{x_at(i):.1f},{y_at(p.value):.1f}")
    if segment:
        g.lines.append("M" + " L".join(segment))

    g.centre = _steps(result.centre, result.phase_index, x_at, y_at, step, inside)
    g.limits = " ".join(
        _steps(col, result.phase_index, x_at, y_at, step, inside)
        for col in (result.upper, result.lower)
    ).strip()
    if m.target is not None and inside(m.target):
        g.target = (round(y_at(m.target), 1), "Target " + format_value(m, m.target))

    for i, p in enumerate(points):
        if p.value is None:
            continue
        kind = result.point_types[i] or PointType.COMMON_CAUSE
        special = result.special_cause[i]
        if compact and not special and i != len(points) - 1:
            continue  # small multiples: the line, signals and the latest point only
        label = "" if result.labels[i] is Label.COMMON_CAUSE else f" — {result.labels[i].value}"
        shown = format_value(m, p.value)
        if m.is_proportion:
            shown += f" ({p.numerator} of {p.denominator})"
        text = f"{periods.label(p.period, freq)}: {shown}{label}"
        href = point_href.replace("{period}", p.period.isoformat()) if point_href else ""
        y = min(max(y_at(p.value), top), bottom)
        g.marks.append(Mark(round(x_at(i), 1), round(y, 1), COLOURS[kind],
                            (3.5 if compact else 4.5) + (1 if special else 0), text, href,
                            special))

    for n, index in enumerate(chart.phase_starts, 2):
        x = round(x_at(index) - step / 2, 1)
        g.phases.append((x, f"Phase {n} from {periods.label(points[index].period, freq)}"))
    first, last = points[0].period, points[-1].period
    stacked: dict[date, int] = {}
    for n, c in enumerate(cycles, 1):
        start = periods.period_start(c.started_on, freq)
        if not first <= start <= last or start not in grid:
            continue
        i = grid.index(start) - offset
        stacked[start] = stacked.get(start, -1) + 1
        g.cycles.append(Annotation(round(x_at(i), 1), top - 8 + 18 * stacked[start], n,
                                   f"PDSA cycle {n}: {c.title} (test started "
                                   f"{c.started_on.strftime('%-d %b %Y')})", c.href))

    kinds = {mk.colour for mk in g.marks}
    items = [("dot", COLOURS[k], text) for k, text in LEGEND_NAMES.items()
             if COLOURS[k] in kinds]
    items.append(("line", CENTRE_COLOUR, centre_name))
    if g.limits:
        items.append(("dash", LIMIT_COLOUR, "Limits"))
    if g.target:
        items.append(("target", TARGET_COLOUR, "Target"))
    if g.cycles:
        items.append(("cycle", CYCLE_COLOUR, "PDSA cycle"))
    x = 0.0
    for kind, colour, text in items:
        g.legend.append((x, kind, colour, text))
        x += 34 + 7 * len(text)  # about 7 px per character at 12 px
    g.description = (f"{chart_kind_words(chart)} of {m.name}: {len(points)} "
                     f"{periods.unit(freq, len(points))} from {periods.label(first, freq)} to "
                     f"{periods.label(last, freq)}. The data table below lists every point.")
    return g


def chart_kind_words(chart: Chart) -> str:
    return CHART_NAMES.get(chart.chart, chart.chart.value)


def _steps(column, phase_index, x_at, y_at, step, inside) -> str:
    """Path data for a per-point line (centre or limit): flat over each point, broken at
    undefined values, at phase changes and where it leaves the drawn range."""
    parts, prev_phase, drawing = [], None, False
    for i, v in enumerate(column):
        if not inside(v):
            drawing = False
            continue
        x0, x1, y = x_at(i) - step / 2, x_at(i) + step / 2, y_at(v)
        if drawing and phase_index[i] == prev_phase:
            parts.append(f"V{y:.1f} H{x1:.1f}")
        else:
            parts.append(f"M{x0:.1f},{y:.1f} H{x1:.1f}")
        drawing, prev_phase = True, phase_index[i]
    return " ".join(parts)


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
    """The Making Data Count variation icon (latest point) and assurance icon (target)."""
    result, out = chart.result, []
    if result is None:
        return out
    if result.variation_icon is not None:
        colour, letter = _VARIATION_LOOK[result.variation_icon]
        out.append(Badge("variation", colour, letter,
                         "Variation: " + VARIATION_WORDS[result.variation_icon]))
    if result.assurance_icon is not None:
        colour, letter = _ASSURANCE_LOOK[result.assurance_icon]
        out.append(Badge("assurance", colour, letter,
                         "Assurance: " + ASSURANCE_WORDS[result.assurance_icon]))
    return out
