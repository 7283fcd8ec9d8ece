"""Annotations over the data: phase breaks and numbered PDSA cycle flags."""

from datetime import date

from .. import periods
from ..series import Chart
from .axes import Scale
from .shapes import Annotation, Band, ChartCycle, ChartNoteItem, NoteMark

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def note_letter(n: int) -> str:
    """A, B, ... Z, then AA, AB, ...: the label of the n-th (0-based) annotation."""
    return LETTERS[n] if n < 26 else note_letter(n // 26 - 1) + LETTERS[n % 26]


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


def _grid_index(day: date, grid: list[date], freq) -> int | None:
    start = periods.period_start(day, freq)
    return grid.index(start) if start in grid else None


def note_marks(chart: Chart, notes: list[ChartNoteItem], grid: list[date], scale: Scale,
               *, size: int = 6) -> list[NoteMark]:
    """A lettered diamond per annotation dated within the chart's grid, on the x-axis; the
    letters match the list under the chart (every annotation is lettered, drawn or not)."""
    freq = chart.measure.frequency
    out = []
    for n, note in enumerate(notes):
        i = _grid_index(note.on_date, grid, freq)
        if i is None:
            continue
        title = f"Note {note_letter(n)} ({note.on_date.strftime('%-d %b %Y')}): {note.text}"
        out.append(NoteMark(round(scale.x(i - scale.offset), 1), scale.bottom - size,
                            note_letter(n), title))
    return out


def test_band(chart: Chart, span: tuple[date, date, str], grid: list[date],
              scale: Scale) -> list[Band]:
    """The shaded periods of a cycle's test (its Do dates, clipped to the grid)."""
    start, end, title = span
    freq = chart.measure.frequency
    first = periods.period_start(start, freq)
    last = periods.period_start(end or start, freq)
    inside = [i for i, p in enumerate(grid) if first <= p <= last]
    if not inside:
        return []
    x0 = scale.x(inside[0] - scale.offset) - scale.step / 2
    x1 = scale.x(inside[-1] - scale.offset) + scale.step / 2
    return [Band(round(x0, 1), round(x1 - x0, 1), title)]
