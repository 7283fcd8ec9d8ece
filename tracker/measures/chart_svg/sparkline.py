"""A thumbnail of a site's recent data for small multiples, drawn from its stored chart summary
(the last periods, the centre line at the latest point, the latest point's signal): no SPC chart
is computed for it. Every thumbnail of a page shares one x grid and one y range."""

from dataclasses import dataclass
from datetime import date

from ...spc import PointType
from .shapes import CENTRE_COLOUR, COLOURS

WIDTH, HEIGHT, PAD = 300, 64, 6


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    paths: list[str]  # one polyline per run of consecutive periods with data
    centre_y: float | None
    latest: tuple[float, float] | None  # the latest point
    colour: str  # the latest point's: its signal's colour
    line_colour: str = COLOURS[PointType.COMMON_CAUSE]
    centre_colour: str = CENTRE_COLOUR


def shared_range(values: list[float], *, percent: bool) -> tuple[float, float]:
    """One y range for all thumbnails: 0–100 for percentages, else the data's (padded)."""
    if percent:
        return 0.0, 100.0
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if low == high:
        return low - 1, high + 1
    return low, high


def sparkline(recent: tuple[tuple[date, float | None], ...], grid: list[date],
              yr: tuple[float, float], centre: float | None, colour: str) -> Sparkline:
    """Lay out one site's recent points on the page's grid of periods."""
    low, high = yr
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(grid) - 1, 1)
    index = {p: i for i, p in enumerate(grid)}

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (min(max(v, low), high) - low) / span * (HEIGHT - 2 * PAD), 1)

    paths, run, last = [], [], None
    for period, value in recent:
        i = index.get(period)
        if i is None or value is None:
            if run:
                paths.append(" ".join(run))
            run = []
            continue
        point = (round(PAD + i * step, 1), y(value))
        run.append(f"{point[0]},{point[1]}")
        last = point
    if run:
        paths.append(" ".join(run))
    return Sparkline(WIDTH, HEIGHT, paths, y(centre) if centre is not None else None, last,
                     colour)
