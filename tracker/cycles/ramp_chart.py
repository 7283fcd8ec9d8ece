"""The run chart of a ramp: each numeric question's prediction and result, cycle by cycle,
as SVG shapes for `cycles/_ramp_chart.html`. No Flask."""

from dataclasses import dataclass, field

PREDICTION_COLOUR = "#5b2a86"  # 9.9:1 on white
RESULT_COLOUR = "#1f77b4"  # 4.8:1


@dataclass
class RampChart:
    """One question across a ramp: x per cycle, a prediction line and a result line."""

    question: str
    width: int = 360
    height: int = 220
    left: float = 44
    top: float = 16
    right: float = 348
    bottom: float = 170
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    predictions: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title
    results: list[tuple[float, float, str]] = field(default_factory=list)
    rows: list[tuple[int, str, float | None, float | None]] = field(default_factory=list)

    @property
    def description(self) -> str:
        return (f"Predictions and results of “{self.question}” across {len(self.rows)} cycles "
                "of the ramp; the table below lists them.")

    @staticmethod
    def path(points: list[tuple[float, float, str]]) -> str:
        return "M" + " L".join(f"{x},{y}" for x, y, _ in points) if points else ""


def _key(text: str) -> str:
    return " ".join((text or "").lower().split())


def ramp_charts(chain: list) -> list[RampChart]:
    """One chart per question (matched by its words, as carried from cycle to cycle) with a
    numeric prediction or result in at least one cycle of the ramp `chain` (cycles with
    their `questions` loaded), in the order the questions first appear."""
    order: list[str] = []
    per: dict[str, dict[int, tuple[float | None, float | None]]] = {}
    text: dict[str, str] = {}
    for n, cycle in enumerate(chain, 1):
        for q in cycle.questions:
            if q.prediction_value is None and q.result_value is None:
                continue
            k = _key(q.question) or f"question {q.position + 1}"
            if k not in per:
                order.append(k)
                per[k], text[k] = {}, q.question or f"Question {q.position + 1}"
            per[k].setdefault(n, (q.prediction_value, q.result_value))
    return [_chart(text[k], per[k], chain) for k in order]


def _chart(question: str, values: dict, chain: list) -> RampChart:
    g = RampChart(question)
    numbers = [v for pair in values.values() for v in pair if v is not None]
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    step = (g.right - g.left) / len(chain)

    def x(n: int) -> float:
        return round(g.left + (n - 0.5) * step, 1)

    def y(v: float) -> float:
        return round(g.bottom - (v - low) / (high - low) * (g.bottom - g.top), 1)

    g.x_ticks = [(x(n), str(n)) for n in range(1, len(chain) + 1)]
    g.y_ticks = [(y(low + (high - low) * i / 4), f"{low + (high - low) * i / 4:.3g}")
                 for i in range(5)]
    for n, cycle in enumerate(chain, 1):
        p, r = values.get(n, (None, None))
        g.rows.append((n, cycle.title, p, r))
        if p is not None:
            g.predictions.append((x(n), y(p), f"Cycle {n}: predicted {p:g}"))
        if r is not None:
            g.results.append((x(n), y(r), f"Cycle {n}: result {r:g}"))
    return g
