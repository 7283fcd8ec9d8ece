"""What is drawn from the data: the data line, centre and limit lines, target and points."""

from ...spc import Label, PointType
from .. import periods
from ..series import Chart, Point
from ..words import format_value
from .axes import Scale
from .shapes import COLOURS, Mark


def data_lines(points: list[Point], scale: Scale) -> list[str]:
    """Path data of the data line, broken at gaps."""
    out: list[str] = []
    segment: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            if segment:
                out.append("M" + " L".join(segment))
            segment = []
            continue
        segment.append(f"{scale.x(i):.1f},{scale.y(p.value):.1f}")
    if segment:
        out.append("M" + " L".join(segment))
    return out


def steps(column, phase_index, scale: Scale) -> str:
    """Path data for a per-point line (centre or limit): flat over each point, broken at
    undefined values, at phase changes and where it leaves the drawn range."""
    parts, prev_phase, drawing = [], None, False
    for i, v in enumerate(column):
        v = scale.bounded(v)  # e.g. a count's lower limit of -1.08 is drawn at 0
        if not scale.inside(v):
            drawing = False
            continue
        x0, x1, y = scale.x(i) - scale.step / 2, scale.x(i) + scale.step / 2, scale.y(v)
        if drawing and phase_index[i] == prev_phase:
            parts.append(f"V{y:.1f} H{x1:.1f}")
        else:
            parts.append(f"M{x0:.1f},{y:.1f} H{x1:.1f}")
        drawing, prev_phase = True, phase_index[i]
    return " ".join(parts)


def limit_lines(chart: Chart, scale: Scale) -> str:
    """Path data of the upper and lower limits together."""
    r = chart.result
    return " ".join(steps(col, r.phase_index, scale) for col in (r.upper, r.lower)).strip()


def target_line(chart: Chart, scale: Scale) -> tuple[float, str] | None:
    """The target's y and its words, when it falls within the drawn range."""
    m = chart.measure
    if m.target is None or not scale.inside(m.target):
        return None
    return round(scale.y(m.target), 1), "Target " + format_value(m, m.target)


def point_marks(chart: Chart, scale: Scale, *, compact: bool, point_href: str,
                grow: float = 0) -> list[Mark]:
    """A dot per point with data; small multiples keep only signals and the latest point.
    `grow` enlarges every dot (the phone layout)."""
    out = []
    last = len(chart.points) - 1
    for i, p in enumerate(chart.points):
        if p.value is None:
            continue
        if compact and not chart.result.special_cause[i] and i != last:
            continue
        out.append(_mark(chart, i, scale, compact, point_href, grow))
    return out


def _mark(chart: Chart, i: int, scale: Scale, compact: bool, point_href: str,
          grow: float = 0) -> Mark:
    m, result, p = chart.measure, chart.result, chart.points[i]
    kind = result.point_types[i] or PointType.COMMON_CAUSE
    special = result.special_cause[i]
    label = "" if result.labels[i] is Label.COMMON_CAUSE else f" — {result.labels[i].value}"
    shown = format_value(m, p.value)
    if m.is_proportion:
        shown += f" ({p.numerator} of {p.denominator})"
    text = f"{periods.label(p.period, m.frequency)}: {shown}{label}"
    href = point_href.replace("{period}", p.period.isoformat()) if point_href else ""
    hollow = i in chart.excluded
    if hollow:
        text += " — excluded from the centre and limits"
    if i in chart.astronomical:
        text += " — judged astronomical"
    y = min(max(scale.y(p.value), scale.top), scale.bottom)
    radius = (3.5 if compact else 4.5) + grow + (1 if special else 0)
    return Mark(round(scale.x(i), 1), round(y, 1), COLOURS[kind], radius, text, href, special,
                hollow)
