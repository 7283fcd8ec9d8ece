"""Learning from predictions: how often a team's predictions held and how far its numeric
predictions were from the results, per site and per ramp. A coaching aid for the team and
faculty: figures are per site or per ramp only, never per person, and never ranked.

Plain functions over CycleQuestion-like objects (attributes `prediction`, `prediction_held`,
`prediction_value`, `result_value`); no Flask.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    """`judged`: predictions written and judged in Study (held yes or no); `held` of them held.
    `numeric`: questions with both a numeric prediction and a numeric result; `mean_abs` is
    the mean absolute difference |prediction - result| over them, `mean_signed` the mean of
    (prediction - result): above 0, the team predicted higher than it found."""

    judged: int
    held: int
    numeric: int
    mean_abs: float | None
    mean_signed: float | None

    @property
    def held_share(self) -> float | None:
        return self.held / self.judged if self.judged else None

    @property
    def empty(self) -> bool:
        return not self.judged and not self.numeric

    def words(self) -> list[str]:
        """The figures in plain words (a coaching aid, not a score)."""
        out = []
        if self.judged:
            out.append(f"{self.held} of {self.judged} predictions held "
                       f"({round(100 * self.held / self.judged)}%).")
        else:
            out.append("No prediction has been judged in Study yet.")
        if self.numeric:
            side = ("higher than" if self.mean_signed > 0 else
                    "lower than" if self.mean_signed < 0 else "the same as")
            out.append(f"Numeric predictions were {self.mean_abs:.3g} away from the results on "
                       f"average (mean absolute difference, n = {self.numeric}); on balance "
                       f"predictions were {side} the results.")
        return out


def calibrate(questions: Iterable) -> Calibration:
    """The calibration figures of some questions (see `Calibration`)."""
    judged = held = 0
    diffs: list[float] = []
    for q in questions:
        if (q.prediction or "").strip() and q.prediction_held is not None:
            judged += 1
            held += bool(q.prediction_held)
        if q.prediction_value is not None and q.result_value is not None:
            diffs.append(q.prediction_value - q.result_value)
    n = len(diffs)
    return Calibration(
        judged, held, n,
        sum(abs(d) for d in diffs) / n if n else None,
        sum(diffs) / n if n else None,
    )


def ramps_of(cycles: list) -> list[list]:
    """The site's cycles grouped into ramps (chains linked by `previous_id`), each first to
    last (depth-first, oldest branch first, as `services.ramp_chain`); a ramp's first cycle
    is one whose previous cycle is not among `cycles`. Ramps in the order they started."""
    by_id = {c.id: c for c in cycles}
    children: dict[int, list] = {}
    for c in cycles:
        if c.previous_id in by_id:
            children.setdefault(c.previous_id, []).append(c)
    roots = sorted((c for c in cycles if c.previous_id not in by_id),
                   key=lambda c: (c.created_at, c.id))
    out = []
    for root in roots:
        chain, todo, seen = [], [root], set()
        while todo:
            node = todo.pop(0)
            if node.id in seen:
                continue
            seen.add(node.id)
            chain.append(node)
            todo = sorted(children.get(node.id, []), key=lambda c: (c.created_at, c.id)) + todo
        out.append(chain)
    return out
