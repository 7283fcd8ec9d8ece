"""Axes: the value range, the scale from values and periods to pixels, and the tick marks."""

import math
from dataclasses import dataclass
from datetime import date

from .. import periods
from ..series import Chart


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

    def x(self, i: int) -> float:
        """Centre of the chart's i-th period."""
        return self.left + (self.offset + i + 0.5) * self.step

    def y(self, v: float) -> float:
        return self.bottom - (v - self.low) / (self.high - self.low) * (self.bottom - self.top)

    def inside(self, v: float | None) -> bool:
        return v is not None and self.low - 1e-9 <= v <= self.high + 1e-9


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
    """One y-axis for one or several charts: data, lines and target; percentages in 0..100."""
    seen, percent = _values(charts)
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
