"""Axes: the value range, the scale from values and periods to pixels, and the tick marks."""

import math
import re
from dataclasses import dataclass
from datetime import date

from ...models import DataKind
from .. import periods
from ..series import Chart

# A unit naming a quantity that can be negative: a temperature, a change, a difference.
SIGNED_UNIT = re.compile(r"°|±|\b(change|difference|balance|net)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Scale:
    """Where a period and a value land on the plot area."""

    left: float
    top: float
    right: float
    bottom: float
    low: float
    high: float
    step: float  # pixels per period
    offset: int  # grid position of the chart's first point (small multiples share a grid)
    # Where the measure's values end (0, and 100 for percentages): a limit beyond is drawn
    # there. The computed limit stays in the table and the CSV (tracker/spc/SPEC.md §3.1).
    floor: float | None = None
    ceiling: float | None = None

    def x(self, i: int) -> float:
        """Centre of the chart's i-th period."""
        return self.left + (self.offset + i + 0.5) * self.step

    def y(self, v: float) -> float:
        return self.bottom - (v - self.low) / (self.high - self.low) * (self.bottom - self.top)

    def inside(self, v: float | None) -> bool:
        return v is not None and self.low - 1e-9 <= v <= self.high + 1e-9

    def bounded(self, v: float | None) -> float | None:
        """The value as drawn: within the values the measure can take."""
        if v is None:
            return None
        if self.floor is not None:
            v = max(v, self.floor)
        return v if self.ceiling is None else min(v, self.ceiling)


def non_negative(charts: list[Chart]) -> bool:
    """Whether the charts' measure cannot go below 0, so its axis and limits stop at 0.

    Counts and percentages cannot. A continuous measure has no setting that says so: it is
    taken as unable to go below 0 when every value charted is 0 or more and its unit does not
    name a signed quantity. Times, lengths of stay, doses and weights qualify, so a negative
    lower limit there is a value the process cannot produce and would only stretch the axis;
    a fluid balance or a change in weight keeps its negative axis and limits.
    """
    if not charts:
        return False
    measure = charts[0].measure
    if measure.data_kind in (DataKind.COUNT, DataKind.PROPORTION):
        return True
    if SIGNED_UNIT.search(measure.unit or ""):
        return False
    values = [p.value for c in charts for p in c.points if p.value is not None]
    return bool(values) and min(values) >= 0


def nice_step(span: float, ticks: int) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving about `ticks` intervals."""
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _values(charts: list[Chart]) -> tuple[list[float], bool]:
    """Every value the charts draw (data, centre, limits, target), and whether in percent."""
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
    return seen, percent


def y_range(charts: list[Chart]) -> tuple[float, float]:
    """One y-axis for one or several charts: data, lines and target; percentages in 0..100,
    and from 0 for measures that cannot go below it (`non_negative`)."""
    seen, percent = _values(charts)
    if not seen:
        return (0.0, 100.0) if percent else (0.0, 1.0)
    floor = 0.0 if percent or non_negative(charts) else None
    ceiling = 100.0 if percent else None

    def bounded(low: float, high: float) -> tuple[float, float]:
        if floor is not None:
            low, high = max(low, floor), max(high, floor)
        if ceiling is not None:
            low, high = min(low, ceiling), min(high, ceiling)
        return low, high

    # Bounded before widening: a target above 100% with no data is 100..100, not 120..100.
    low, high = bounded(min(seen), max(seen))
    if high - low < 1e-9:
        low, high = bounded(low - 1, high + 1)
    step = nice_step(high - low, 5)
    return bounded(math.floor(low / step) * step, math.ceil(high / step) * step)


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def y_ticks(scale: Scale, *, compact: bool, percent: bool) -> list[tuple[float, str]]:
    """Round values up the y-axis as (y, text)."""
    out = []
    tick = nice_step(scale.high - scale.low, 3 if compact else 5)
    v = math.ceil(scale.low / tick - 1e-9) * tick
    while v <= scale.high + 1e-9:
        out.append((round(scale.y(v), 1), _fmt(v) + ("%" if percent else "")))
        v += tick
    return out


def x_ticks(scale: Scale, grid: list[date], freq, *, compact: bool) -> list[tuple[float, str]]:
    """About 7 (3 when compact) period labels along the x-axis as (x, text)."""
    every = max(1, math.ceil(len(grid) / (3 if compact else 7)))
    return [
        (round(scale.left + (i + 0.5) * scale.step, 1), periods.label(grid[i], freq))
        for i in range(0, len(grid), every)
    ]
