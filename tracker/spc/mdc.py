"""Making Data Count point rules for XmR charts, as NHSRplotthedots v0.2.2 (SPEC.md §5)."""

from collections.abc import Sequence
from itertools import pairwise

from .constants import MDC_SHIFT, MDC_TREND
from .runs import blocks, sign
from .vocab import Label

Row = tuple[float | None, float | None, float | None, float | None]  # upper, lower, near lines


def mdc_trend(ys: list[float]) -> list[int]:
    """Per point: +1/-1 trend direction label or 0 (ptd_seven_point_trend, SPEC.md §5.3)."""
    diffs = [sign(b - a) for a, b in pairwise(ys)]
    part = [False] * len(ys)
    for start, length, s in blocks(diffs):
        if s != 0 and length >= MDC_TREND - 1:  # a tie (diff 0) breaks the trend
            part[start : start + length + 1] = [True] * (length + 1)
    return [_trend_side(ys, part, j) if in_trend else 0 for j, in_trend in enumerate(part)]


def _trend_side(ys: list[float], part: list[bool], j: int) -> int:
    """`sdy` in ptd_special_cause_type: right-hand difference if the next point is also in a
    trend, else left-hand; anything but +1 is labelled "Decreasing"."""
    right = j + 1 < len(ys) and part[j + 1]
    d = sign(ys[j + 1] - ys[j]) if right else (sign(ys[j] - ys[j - 1]) if j else 0)
    return 1 if d == 1 else -1


def two_in_three(close: list[bool], rel: list[int]) -> list[bool]:
    """ptd_two_in_three + ptd_part_of_two_in_three (SPEC.md §5.4)."""
    n, out = len(close), []
    for i in range(n):
        hit = any(
            sum(close[a : a + 3]) >= 2 and abs(sum(rel[a : a + 3])) == 3
            for a in (i - 2, i - 1, i)
            if a >= 0 and a + 3 <= n  # windows past the ends of the group never qualify
        )
        out.append(hit and close[i])  # the third (not-close) point is not flagged
    return out


def _close(y: float, row: Row) -> bool:
    """Beyond a near line but not outside the limits (strict both ways, SPEC.md §3.1)."""
    upper, lower, upper2, lower2 = row
    outside = upper is not None and (y > upper or y < lower)
    return upper2 is not None and not outside and (y < lower2 or y > upper2)


def _shift(rel: list[int]) -> list[bool]:
    """Points in 7 or more consecutive points on one side of the mean (SPEC.md §5.2)."""
    out = [False] * len(rel)
    for start, length, s in blocks(rel):
        if s != 0 and length >= MDC_SHIFT:  # a point exactly on the mean (0) breaks the shift
            out[start : start + length] = [True] * length
    return out


def mdc_labels(ys: list[float], mean: float, rows: Sequence[Row]) -> list[Label | None]:
    """MDC sequence-rule labels (trend, 2-in-3, shift) for a gap-free point list; None = none."""
    rel = [sign(y - mean) for y in ys]
    close = [_close(y, row) for y, row in zip(ys, rows, strict=True)]
    trend, two3, shift = mdc_trend(ys), two_in_three(close, rel), _shift(rel)
    out: list[Label | None] = []
    for j, side in enumerate(rel):  # precedence: trend, then 2-in-3, then shift (§5.5)
        if trend[j]:
            out.append(Label.TREND_INCREASING if trend[j] > 0 else Label.TREND_DECREASING)
        elif two3[j]:
            out.append(Label.TWO_IN_THREE_ABOVE if side > 0 else Label.TWO_IN_THREE_BELOW)
        elif shift[j]:
            out.append(Label.SHIFT_ABOVE if side > 0 else Label.SHIFT_BELOW)
        else:
            out.append(None)
    return out


def apply_mdc(
    labels: dict[int, Label],
    points: list[tuple[int, float]],
    rows: Sequence[Row],
    mean: float,
) -> tuple[int, ...]:
    """Label MDC sequence signals in place where no limit signal is; return shift starts.

    `points` are the group's usable (index, value) pairs and `rows` their limit lines.
    """
    ys = [v for _, v in points]
    for (i, _), lab in zip(points, mdc_labels(ys, mean, rows), strict=True):
        if lab is not None and labels[i] is Label.COMMON_CAUSE:
            labels[i] = lab
    # A point on the mean breaks a shift, so runs are found in the signed sequence (zeros kept).
    signs = [sign(v - mean) for v in ys]
    return tuple(points[b[0]][0] for b in blocks(signs) if b[2] != 0 and b[1] >= MDC_SHIFT)
