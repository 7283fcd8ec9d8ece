"""Annotations over the data: phase breaks and numbered PDSA cycle flags."""

from datetime import date

from .. import periods
from ..series import Chart
from .axes import Scale
from .shapes import Annotation, ChartCycle


def phase_breaks(chart: Chart, scale: Scale) -> list[tuple[float, str]]:
    """A line where each new phase starts, as (x, title)."""
    freq = chart.measure.frequency
    return [
        (
            round(scale.x(index) - scale.step / 2, 1),
            f"Phase {n} from {periods.label(chart.points[index].period, freq)}",
        )
        for n, index in enumerate(chart.phase_starts, 2)
    ]


def cycle_flags(
    chart: Chart, cycles: list[ChartCycle], grid: list[date], scale: Scale, *, flag: int = 8
) -> list[Annotation]:
    """A numbered flag per cycle whose test started within the chart's periods."""
    freq = chart.measure.frequency
    first, last = chart.points[0].period, chart.points[-1].period
    stacked: dict[date, int] = {}
    out = []
    for n, c in enumerate(cycles, 1):
        start = periods.period_start(c.started_on, freq)
        if not first <= start <= last or start not in grid:
            continue
        i = grid.index(start) - scale.offset
        stacked[start] = stacked.get(start, -1) + 1
        title = f"PDSA cycle {n}: {c.title} (test started {c.started_on.strftime('%-d %b %Y')})"
        y = scale.top - flag + (2 * flag + 2) * stacked[start]
        out.append(Annotation(round(scale.x(i), 1), y, n, title, c.href))
    return out
