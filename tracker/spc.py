"""Run charts and statistical process control (SPC) charts, standard library only.

Implements the rules in the project's SPC specification (spc.md): run charts with IHI or Anhøj
rules, XmR charts with NHS England "Making Data Count" (MDC, NHSRplotthedots v0.2.2) rules or
qicharts2 rules, and the qicharts2 MR, p, u, c, p′ (pp), u′ (up), g and t charts.

Conventions
-----------
* **Indices are 0-based** everywhere in this API (spc.md numbers points from 1).
* ``None`` in an input sequence is a **missing period** (a gap in a regular period grid). Missing
  points get no centre-line contribution, no moving range spans them, and every sequence rule
  (runs, shifts, trends, 2-in-3) skips them: the points either side become adjacent (spc.md §1.2).
* ``phase_starts``: indices where a new phase begins (MDC rebase date; qicharts2 ``part=p`` is
  ``phase_starts=(p,)``). Centre, limits, screening, baseline and every rule restart per phase.
* ``baseline``: number of periods at the start of each phase (missing periods included) used for
  the centre and limits (MDC ``fix_after_n_points``, qicharts2 ``freeze``); all points are still
  tested. An int applies to every phase; a sequence gives one value (or None) per phase.
* ``exclude``: indices removed from the centre, moving ranges (an MR bridges an excluded point)
  and runs/sequence rules, but still plotted and tested against the limits (spc.md §7).
* ``direction``: improvement direction, ``"increase"``, ``"decrease"`` or ``"neutral"``.
* ``target`` and the returned values, centre and limits are on the plotted scale (after
  ``multiplier`` for p, u, p′ and u′ charts).

Public API (every chart returns a frozen :class:`SpcResult`)
------------------------------------------------------------
* ``run_chart(values, *, rules="ihi"|"anhoej", phase_starts=(), baseline=None, exclude=(),
  direction="increase", astronomical=())``
* ``xmr_chart(values, *, rules="mdc"|"anhoej", screen_outliers=None, phase_starts=(),
  baseline=None, exclude=(), direction="increase", target=None)``
  (``screen_outliers`` defaults to False for MDC (Excel-tool parity), True for qicharts2)
* ``mr_chart(values, *, phase_starts=(), baseline=None, exclude=())``
* ``p_chart`` / ``u_chart`` / ``pp_chart`` / ``up_chart(numerators, denominators, *,
  multiplier=1, phase_starts=(), baseline=None, exclude=(), direction="increase", target=None)``
  (``pp_chart``/``up_chart`` also take ``screen_outliers=True``)
* ``c_chart`` / ``g_chart(counts, *, phase_starts=(), baseline=None, exclude=(),
  direction="increase", target=None)``; ``t_chart(times, *, ..., screen_outliers=True)``
* ``suggest_rebase(result) -> int | None``: a suggestion only; rebasing is a human decision.
* Every chart reports an Anhøj runs analysis per phase (IHI for IHI run charts); on MDC XmR
  charts it is informational only, since MDC signals come from its own point rules.
* Helpers: ``anhoej_limits(n)``, ``ihi_runs_limits(n)``, ``variation_icon(point_type, direction)``,
  ``assurance_icon(lower, upper, target, direction)``.

Invalid input (negative counts, x > 0 with n = 0, x > n for p charts, NaN/inf, bad indices)
raises ``ValueError``.

Decisions where spc.md leaves room: missing points are labelled ``Label.MISSING`` with point type
None; the variation icon uses the latest non-missing point; trial limits count non-missing points
of a phase; limits are None (not flagged) when the final average moving range is 0; the IHI runs
rule beyond N = 60 uses the same exact Swed–Eisenhart computation as the table; the MR chart's
improvement direction is always neutral.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import pairwise

# --------------------------------------------------------------------------- vocabularies


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class RuleSet(StrEnum):
    IHI = "ihi"
    ANHOEJ = "anhoej"
    MDC = "mdc"


class ChartType(StrEnum):
    RUN = "run"
    XMR = "xmr"
    MR = "mr"
    P = "p"
    U = "u"
    C = "c"
    PP = "pp"
    UP = "up"
    G = "g"
    T = "t"


class Label(StrEnum):
    COMMON_CAUSE = "Common Cause"
    MISSING = "Missing"
    ABOVE_UCL = "Above UCL"
    BELOW_LCL = "Below LCL"
    # MDC labels exactly as NHSRplotthedots prints them (spc.md §5).
    TREND_INCREASING = "7 Point Trend (Increasing)"
    TREND_DECREASING = "7 Point Trend (Decreasing)"
    TWO_IN_THREE_ABOVE = "2 in 3 Above CL"
    TWO_IN_THREE_BELOW = "2 in 3 Below CL"
    SHIFT_ABOVE = "7 Points Above CL"
    SHIFT_BELOW = "7 Points Below CL"
    # IHI run chart labels (spc.md §2.4).
    ASTRONOMICAL_ABOVE = "Astronomical Point Above Median"
    ASTRONOMICAL_BELOW = "Astronomical Point Below Median"
    ASTRONOMICAL = "Astronomical Point"
    RUN_TREND_INCREASING = "Trend (Increasing)"
    RUN_TREND_DECREASING = "Trend (Decreasing)"
    RUN_SHIFT_ABOVE = "Shift Above Median"
    RUN_SHIFT_BELOW = "Shift Below Median"


class PointType(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class VariationIcon(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class AssuranceIcon(StrEnum):
    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"


class LimitStatus(StrEnum):
    OK = "ok"
    NOT_APPLICABLE = "not_applicable"  # run charts have no limits
    INSUFFICIENT_DATA = "insufficient_data"
    INSUFFICIENT_VARIATION = "insufficient_variation"


# --------------------------------------------------------------------------- constants and data

MDC_LIMIT = 2.66  # ptd_spc_standard.R: `limit <- 2.66`
MDC_NEAR = 2 * (MDC_LIMIT / 3)  # `limitclose <- 2*(limit/3)`, same operation order
MR_SCREEN = 3.267  # moving-range screening factor (Nelson 1982), also the MR chart UCL factor
D2 = 1.128  # qicharts2 sigma = amr / 1.128
MDC_SHIFT = 7
MDC_TREND = 7
MDC_MIN_BASELINE = 12  # the MDC options validator rejects fix_after_n_points < 12 (spc.md §7)
IHI_SHIFT = 6
IHI_TREND = 5
RUNS_MIN_USEFUL = 10  # runs verdict shown from 10 useful observations (spc.md §2.3, §9)
TRIAL_MAX_POINTS = 12  # groups of 12 or fewer points get trial limits (spc.md §7)
LARGE_DENOMINATOR = 1000  # suggest p′/u′ above this (spc.md §1.4, §8)
T_POWER = 3.6  # t chart transform y ** (1/3.6) (spc.md §4)

Num = float | None  # None = missing / undefined
Baseline = int | Sequence[int | None] | None  # one length for all phases, or one per phase

# spc.md §2.4.3: IHI too-few/too-many runs limits "N:L:U" (too few if runs < L, too many if
# runs > U), exact Swed–Eisenhart with m = N//2, alpha 0.025 per tail. Kept as data so that the
# printed Perla Table 1 can replace it. Beyond N = 60 the same computation is used.
_IHI_RUNS_TABLE_TEXT = """
10:3:9 11:4:9 12:4:10 13:4:11 14:4:12 15:5:12 16:5:13 17:6:13 18:6:14 19:6:15
20:7:15 21:7:16 22:8:16 23:8:17 24:8:18 25:9:18 26:9:19 27:10:19 28:10:20 29:10:21
30:11:21 31:11:22 32:12:22 33:12:23 34:12:24 35:13:24 36:13:25 37:14:25 38:14:26 39:14:26
40:15:27 41:15:28 42:16:28 43:16:29 44:17:29 45:17:30 46:17:31 47:18:31 48:18:32 49:19:32
50:19:33 51:20:33 52:20:34 53:20:35 54:21:35 55:21:36 56:22:36 57:22:37 58:23:37 59:23:38
60:24:38
"""
IHI_RUNS_TABLE: dict[int, tuple[int, int]] = {
    int(n): (int(lo), int(hi))
    for n, lo, hi in (item.split(":") for item in _IHI_RUNS_TABLE_TEXT.split())
}


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class RunsAnalysis:
    """Runs analysis of one phase around its centre line (spc.md §2.2–2.4)."""

    rules: RuleSet
    n_useful: int
    longest_run: int
    longest_run_max: int | None  # signal if longest_run > this
    crossings: int
    crossings_min: int | None  # Anhøj: signal if crossings < this
    runs: int
    runs_min: int | None  # IHI: signal if runs < this (None when N < 10)
    runs_max: int | None  # IHI: signal if runs > this
    signal: bool  # IHI: shift, trend or runs-count signal; Anhøj: long run or few crossings
    verdict_shown: bool  # False below 10 useful observations: "insufficient data"


@dataclass(frozen=True)
class PhaseResult:
    """Summary of one phase (MDC rebase group / qicharts2 part)."""

    start: int
    stop: int  # exclusive
    baseline_stop: int  # exclusive end of the periods used for centre and limits
    n_points: int  # non-missing points in the phase
    n_baseline: int  # points that determined the centre line
    centre: float | None
    limits_status: LimitStatus
    trial_limits: bool
    runs: RunsAnalysis
    shift_starts: tuple[int, ...]  # where sustained shifts begin (rule set's shift rule)
    last_point_type: PointType | None


@dataclass(frozen=True)
class SpcResult:
    """Per-point lines and signals plus per-phase summaries; None means undefined."""

    chart: ChartType
    rules: RuleSet
    direction: Direction
    target: float | None
    values: tuple[float | None, ...]
    centre: tuple[float | None, ...]
    upper: tuple[float | None, ...]
    lower: tuple[float | None, ...]
    upper_2sigma: tuple[float | None, ...]  # qicharts2 2σ line; MDC "near" line (2/3 of limit)
    lower_2sigma: tuple[float | None, ...]
    labels: tuple[Label, ...]
    point_types: tuple[PointType | None, ...]  # None for missing points
    special_cause: tuple[bool, ...]
    excluded: tuple[bool, ...]
    phase_index: tuple[int, ...]
    phases: tuple[PhaseResult, ...]
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    notes: tuple[str, ...]

    @property
    def runs(self) -> tuple[RunsAnalysis, ...]:
        """Runs analysis per phase."""
        return tuple(p.runs for p in self.phases)


# --------------------------------------------------------------------------- rule helpers


def anhoej_limits(n: int) -> tuple[int, int] | None:
    """Anhøj (longest_run_max, crossings_min) for n useful observations; None when n < 1."""
    if n < 1:
        return None
    longest_max = round(math.log2(n) + 3)  # half-even like R; never exactly .5 (spc.md §2.3)
    # crossings_min = qbinom(0.05, n-1, 0.5): smallest k with P(Bin(n-1, 1/2) <= k) >= 0.05,
    # in exact integer arithmetic: 20 * sum(comb) >= 2**(n-1).
    total, cumulative = 2 ** (n - 1), 0
    for k in range(n):
        cumulative += math.comb(n - 1, k)
        if 20 * cumulative >= total:
            return longest_max, k
    raise AssertionError("unreachable")  # pragma: no cover


def ihi_runs_limits(n: int) -> tuple[int, int] | None:
    """IHI (lower, upper) runs limits for n useful observations; None when n < 10."""
    if n < RUNS_MIN_USEFUL:
        return None
    return IHI_RUNS_TABLE.get(n) or swed_eisenhart_limits(n)


def swed_eisenhart_limits(n: int) -> tuple[int, int]:
    """Exact runs limits (alpha 0.025 per tail, m = n//2); reproduces the §2.4.3 table."""
    m, k = n // 2, n - n // 2
    counts = {r: _runs_count(m, k, r) for r in range(2, n + 1)}
    total = math.comb(n, m)
    lower = max(r for r in range(2, n + 2) if 40 * sum(counts.get(j, 0) for j in range(r)) <= total)
    upper = min(
        r for r in range(1, n + 1) if 40 * sum(counts[j] for j in range(r + 1, n + 1)) <= total
    )
    return lower, upper


def _runs_count(m: int, k: int, r: int) -> int:
    """Number of arrangements of m and k items with exactly r runs."""
    h = r // 2
    if r % 2 == 0:
        return 2 * math.comb(m - 1, h - 1) * math.comb(k - 1, h - 1)
    return math.comb(m - 1, h) * math.comb(k - 1, h - 1) + math.comb(m - 1, h - 1) * math.comb(
        k - 1, h
    )


def variation_icon(point_type: PointType | None, direction: Direction | str) -> VariationIcon:
    """MDC variation icon for the latest point's type (spc.md §6.1)."""
    direction = _direction(direction)
    low = direction is Direction.DECREASE
    if point_type is PointType.IMPROVEMENT:
        return VariationIcon.IMPROVEMENT_LOW if low else VariationIcon.IMPROVEMENT_HIGH
    if point_type is PointType.CONCERN:
        return VariationIcon.CONCERN_HIGH if low else VariationIcon.CONCERN_LOW
    if point_type is PointType.NEUTRAL_HIGH:
        return VariationIcon.NEUTRAL_HIGH
    if point_type is PointType.NEUTRAL_LOW:
        return VariationIcon.NEUTRAL_LOW
    return VariationIcon.COMMON_CAUSE


def assurance_icon(
    lower: float | None, upper: float | None, target: float | None, direction: Direction | str
) -> AssuranceIcon | None:
    """MDC assurance icon from the latest limits (spc.md §6.2); None if not applicable."""
    direction = _direction(direction)
    if target is None or lower is None or upper is None or direction is Direction.NEUTRAL:
        return None
    increase = direction is Direction.INCREASE
    if target > upper:
        return AssuranceIcon.CONSISTENT_FAIL if increase else AssuranceIcon.CONSISTENT_PASS
    if target < lower:
        return AssuranceIcon.CONSISTENT_PASS if increase else AssuranceIcon.CONSISTENT_FAIL
    return AssuranceIcon.INCONSISTENT  # includes target exactly on a limit


def _direction(direction: Direction | str) -> Direction:
    try:
        return Direction(direction)
    except ValueError:
        raise ValueError(
            f"direction must be 'increase', 'decrease' or 'neutral', got {direction!r}"
        ) from None


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _blocks(seq: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal values as (start, length, value)."""
    out: list[tuple[int, int, int]] = []
    for j, v in enumerate(seq):
        if out and out[-1][2] == v:
            start, length, _ = out[-1]
            out[-1] = (start, length + 1, v)
        else:
            out.append((j, 1, v))
    return out


def _runs_analysis(signs: list[int], rules: RuleSet, *, trend: bool = False) -> RunsAnalysis:
    """Runs figures for a sign sequence with zeros already removed (spc.md §2.2)."""
    n, blocks = len(signs), _blocks(signs)
    longest = max((b[1] for b in blocks), default=0)
    runs = len(blocks)
    crossings = max(runs - 1, 0)
    shown = n >= RUNS_MIN_USEFUL
    if rules is RuleSet.IHI:
        limits = ihi_runs_limits(n)
        lo, hi = limits if limits else (None, None)
        runs_out = limits is not None and (runs < limits[0] or runs > limits[1])
        signal = runs_out or longest >= IHI_SHIFT or trend
        return RunsAnalysis(
            rules, n, longest, IHI_SHIFT - 1, crossings, None, runs, lo, hi, signal, shown
        )
    limits = anhoej_limits(n)
    lmax, cmin = limits if limits else (None, None)
    signal = limits is not None and (longest > limits[0] or crossings < limits[1])
    return RunsAnalysis(
        RuleSet.ANHOEJ, n, longest, lmax, crossings, cmin, runs, None, None, signal, shown
    )


def _ihi_trends(points: list[tuple[int, float]]) -> dict[int, int]:
    """Index -> ±1 for points in an IHI trend: >= 5 collapsed points, ties ignored (§2.4)."""
    groups: list[tuple[float, list[int]]] = []
    for i, v in points:
        if groups and groups[-1][0] == v:
            groups[-1][1].append(i)  # equal successive values neither add to nor break a trend
        else:
            groups.append((v, [i]))
    diffs = [_sign(b[0] - a[0]) for a, b in pairwise(groups)]
    out: dict[int, int] = {}
    for start, length, s in _blocks(diffs):
        if length + 1 >= IHI_TREND:  # later stretches overwrite: a shared peak takes the right
            for _, idx in groups[start : start + length + 1]:
                out.update(dict.fromkeys(idx, s))
    return out


def _mdc_trend(ys: list[float]) -> list[int]:
    """Per point: +1/-1 trend direction label or 0 (ptd_seven_point_trend, spc.md §5.3)."""
    diffs = [_sign(b - a) for a, b in pairwise(ys)]
    part = [False] * len(ys)
    for start, length, s in _blocks(diffs):
        if s != 0 and length >= MDC_TREND - 1:  # a tie (diff 0) breaks the trend
            part[start : start + length + 1] = [True] * (length + 1)
    out = []
    for j, in_trend in enumerate(part):
        if not in_trend:
            out.append(0)
            continue
        # `sdy` in ptd_special_cause_type: right-hand difference if the next point is also in a
        # trend, else left-hand; anything but +1 is labelled "Decreasing".
        right = j + 1 < len(ys) and part[j + 1]
        d = _sign(ys[j + 1] - ys[j]) if right else (_sign(ys[j] - ys[j - 1]) if j else 0)
        out.append(1 if d == 1 else -1)
    return out


def _two_in_three(close: list[bool], rel: list[int]) -> list[bool]:
    """ptd_two_in_three + ptd_part_of_two_in_three (spc.md §5.4)."""
    n, out = len(close), []
    for i in range(n):
        hit = any(
            sum(close[a : a + 3]) >= 2 and abs(sum(rel[a : a + 3])) == 3
            for a in (i - 2, i - 1, i)
            if a >= 0 and a + 3 <= n  # windows past the ends of the group never qualify
        )
        out.append(hit and close[i])  # the third (not-close) point is not flagged
    return out


def _mdc_labels(ys: list[float], mean: float, lines: list[tuple]) -> list[Label | None]:
    """MDC sequence-rule labels (trend, 2-in-3, shift) for a gap-free point list; None = none."""
    rel = [_sign(y - mean) for y in ys]
    close = []
    for y, (upper, lower, upper2, lower2) in zip(ys, lines, strict=True):
        outside = upper is not None and (y > upper or y < lower)
        close.append(upper2 is not None and not outside and (y < lower2 or y > upper2))
    trend, two3 = _mdc_trend(ys), _two_in_three(close, rel)
    shift = [False] * len(ys)
    for start, length, s in _blocks(rel):
        if s != 0 and length >= MDC_SHIFT:  # a point exactly on the mean (0) breaks the shift
            shift[start : start + length] = [True] * length
    out: list[Label | None] = []
    for j in range(len(ys)):  # precedence: trend, then 2-in-3, then shift (§5)
        above = rel[j] > 0
        if trend[j]:
            out.append(Label.TREND_INCREASING if trend[j] > 0 else Label.TREND_DECREASING)
        elif two3[j]:
            out.append(Label.TWO_IN_THREE_ABOVE if above else Label.TWO_IN_THREE_BELOW)
        elif shift[j]:
            out.append(Label.SHIFT_ABOVE if above else Label.SHIFT_BELOW)
        else:
            out.append(None)
    return out


_LABEL_SIGN = {
    Label.ABOVE_UCL: 1, Label.BELOW_LCL: -1,
    Label.TREND_INCREASING: 1, Label.TREND_DECREASING: -1,
    Label.TWO_IN_THREE_ABOVE: 1, Label.TWO_IN_THREE_BELOW: -1,
    Label.SHIFT_ABOVE: 1, Label.SHIFT_BELOW: -1,
    Label.ASTRONOMICAL_ABOVE: 1, Label.ASTRONOMICAL_BELOW: -1,
    Label.RUN_TREND_INCREASING: 1, Label.RUN_TREND_DECREASING: -1,
    Label.RUN_SHIFT_ABOVE: 1, Label.RUN_SHIFT_BELOW: -1,
}  # fmt: skip


def _point_type(label: Label, direction: Direction) -> PointType | None:
    """ptd_point_type: orient the label's side by the improvement direction (spc.md §5)."""
    if label is Label.MISSING:
        return None
    v = _LABEL_SIGN.get(label, 0)
    if direction is Direction.NEUTRAL:
        return {1: PointType.NEUTRAL_HIGH, -1: PointType.NEUTRAL_LOW}.get(v, PointType.COMMON_CAUSE)
    v *= 1 if direction is Direction.INCREASE else -1
    return {1: PointType.IMPROVEMENT, -1: PointType.CONCERN}.get(v, PointType.COMMON_CAUSE)


# --------------------------------------------------------------------------- limits per phase


@dataclass(frozen=True)
class _Phase:
    number: int  # 1-based, for notes
    start: int
    stop: int
    base_stop: int

    @property
    def name(self) -> str:
        return f"Phase {self.number} (points {self.start + 1}-{self.stop})"

    def base(self, excluded: Collection[int]) -> list[int]:
        """Baseline period indices that are not excluded (missing ones included)."""
        return [i for i in range(self.start, self.base_stop) if i not in excluded]


@dataclass
class _Lines:
    """Centre and limit lines of one phase, raw scale, one entry per period."""

    centre: list[Num]
    upper: list[Num]
    lower: list[Num]
    upper2: list[Num]
    lower2: list[Num]
    status: LimitStatus
    n_base: int
    notes: tuple[str, ...] = ()


def _constant_lines(
    size: int,
    centre: Num,
    status: LimitStatus,
    n_base: int,
    *,
    mid: Num = None,
    half3: Num = None,
    half2: Num = None,
    floor: float | None = None,
) -> _Lines:
    """Lines constant over a phase; limits mid ± half, optionally floored (None = no limits)."""
    mid = centre if mid is None else mid
    if status is not LimitStatus.OK or half3 is None or half2 is None or mid is None:
        return _Lines([centre] * size, *([None] * size for _ in range(4)), status, n_base)

    def low(v: float) -> float:
        return v if floor is None else max(v, floor)

    up3, lo3, up2, lo2 = mid + half3, low(mid - half3), mid + half2, low(mid - half2)
    return _Lines(
        [centre] * size, [up3] * size, [lo3] * size, [up2] * size, [lo2] * size, status, n_base
    )


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _average_mr(seq: Sequence[Num], screen: bool) -> tuple[float | None, LimitStatus]:
    """Average moving range of consecutive non-missing values; None never bridged (§1.2)."""
    mrs = [abs(b - a) for a, b in pairwise(seq) if a is not None and b is not None]
    if not mrs:
        return None, LimitStatus.INSUFFICIENT_DATA
    amr = _mean(mrs)
    if screen:
        kept = [m for m in mrs if m < MR_SCREEN * amr]  # strict <; the mean is not recomputed
        amr = _mean(kept) if kept else 0.0  # nothing kept only when amr was 0 (R gives NaN)
    if amr == 0:  # spc.md §8/§9: show "insufficient variation" rather than flag every point
        return None, LimitStatus.INSUFFICIENT_VARIATION
    return amr, LimitStatus.OK


def _values_lines(seq: list[Num], size: int, *, mdc: bool, screen: bool) -> _Lines:
    """XmR lines from the baseline sequence (MDC §3.1 or qicharts2 I chart §3.2)."""
    vals = [v for v in seq if v is not None]
    if not vals:
        return _constant_lines(size, None, LimitStatus.INSUFFICIENT_DATA, 0)
    centre = _mean(vals)
    amr, status = _average_mr(seq, screen)
    if amr is None:
        return _constant_lines(size, centre, status, len(vals))
    if mdc:
        return _constant_lines(
            size, centre, status, len(vals), half3=MDC_LIMIT * amr, half2=MDC_NEAR * amr
        )
    sigma = amr / D2
    return _constant_lines(size, centre, status, len(vals), half3=3 * sigma, half2=2 * sigma)


def _rate_lines(
    ph: _Phase,
    x: list[Num],
    n: list[Num],
    excluded: Collection[int],
    *,
    binomial: bool,
    prime: bool,
    screen: bool,
) -> _Lines:
    """p/u (and p′/u′) lines: weighted centre, per-point sigma (spc.md §4)."""
    size, used = ph.stop - ph.start, [i for i in ph.base(excluded) if x[i] is not None]
    if not used:
        return _constant_lines(size, None, LimitStatus.INSUFFICIENT_DATA, 0)
    # Weighted: sum(x)/sum(n), NOT the mean of the proportions.
    centre = math.fsum(x[i] for i in used) / math.fsum(n[i] for i in used)
    var = centre * (1 - centre) if binomial else centre
    notes: tuple[str, ...] = ()
    scale, status = 1.0, LimitStatus.OK
    if prime and var == 0:
        status = LimitStatus.INSUFFICIENT_VARIATION
    elif prime:  # Laney: sigma_z from the moving ranges of z-scores over the baseline
        z = [
            None if x[i] is None else (x[i] / n[i] - centre) / math.sqrt(var / n[i])
            for i in ph.base(excluded)
        ]
        amr, status = _average_mr(z, screen)
        scale = 0.0 if amr is None else amr / D2
    elif var == 0:
        notes = (f"{ph.name}: centre line is {centre:g}, so the limits equal the centre.",)
    lines = _constant_lines(size, centre, status, len(used))
    lines.notes = notes
    if status is not LimitStatus.OK:
        return lines
    for j, i in enumerate(range(ph.start, ph.stop)):
        if x[i] is None:
            continue  # missing or n = 0: limits undefined (qicharts2 gives NA)
        s = math.sqrt(var / n[i]) * scale
        for arr, mult in (
            (lines.upper, 3),
            (lines.lower, -3),
            (lines.upper2, 2),
            (lines.lower2, -2),
        ):
            v = centre + mult * s
            # p limits capped to [0, 1]; u lower limits floored at 0 (spc.md §4).
            arr[j] = max(v, 0.0) if mult < 0 else (min(v, 1.0) if binomial else v)
    return lines


# --------------------------------------------------------------------------- input handling


def _number(v: object, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{what}: expected a number or None, got {v!r}")
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"{what}: value must be finite (use None for a missing period)")
    return f


def _clean(values: Sequence[object], name: str, *, nonnegative: bool = False) -> list[Num]:
    out: list[Num] = []
    for i, v in enumerate(values):
        f = None if v is None else _number(v, f"{name}[{i}]")
        if nonnegative and f is not None and f < 0:
            raise ValueError(f"{name}[{i}]: negative value {f:g} is not allowed")
        out.append(f)
    return out


def _clean_rates(
    numerators: Sequence[object], denominators: Sequence[object], *, binomial: bool
) -> tuple[list[Num], list[Num]]:
    """Validate x and n (spc.md §1.3); missing x or n, or n = 0, is a missing period."""
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators must have the same length")
    xs = _clean(numerators, "numerators", nonnegative=True)
    ns = _clean(denominators, "denominators", nonnegative=True)
    for i, (x, n) in enumerate(zip(xs, ns, strict=True)):
        if x is None or n is None or n == 0:
            if x and n == 0:
                raise ValueError(f"index {i}: numerator {x:g} with a zero denominator")
            xs[i] = ns[i] = None
        elif binomial and x > n:
            raise ValueError(f"index {i}: numerator {x:g} exceeds denominator {n:g}")
    return xs, ns


def _indices(indices: Collection[int], n: int, name: str) -> set[int]:
    out = set()
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise ValueError(f"{name}: {i!r} is not a valid 0-based index for {n} points")
        out.add(i)
    return out


def _phases(
    n: int, phase_starts: Collection[int], baseline: Baseline, rules: RuleSet
) -> list[_Phase]:
    """Split 0..n into phases and apply the per-phase baseline length."""
    starts = sorted(_indices(phase_starts, n, "phase_starts") | ({0} if n else set()))
    bounds = list(pairwise([*starts, n]))
    if baseline is None or isinstance(baseline, int):
        lengths = [baseline] * len(bounds)
    else:
        lengths = list(baseline)
        if len(lengths) != len(bounds):
            raise ValueError(f"baseline: expected {len(bounds)} values (one per phase)")
    out = []
    for k, ((start, stop), length) in enumerate(zip(bounds, lengths, strict=True)):
        if length is not None:
            if isinstance(length, bool) or not isinstance(length, int) or length < 1:
                raise ValueError(f"baseline: {length!r} must be a positive whole number")
            if rules is RuleSet.MDC and length < MDC_MIN_BASELINE:
                raise ValueError(
                    "baseline: Making Data Count needs at least 12 points "
                    "(fix_after_n_points >= 12)"
                )
        stop_base = stop if length is None else min(start + length, stop)
        out.append(_Phase(k + 1, start, stop, stop_base))
    return out


# --------------------------------------------------------------------------- assembly

LinesFn = Callable[[_Phase, set[int]], _Lines]


def _build(
    chart: ChartType,
    rules: RuleSet,
    y: list[Num],
    lines_fn: LinesFn,
    *,
    phase_starts: Collection[int],
    baseline: Baseline,
    exclude: Collection[int],
    direction: Direction | str,
    target: float | None = None,
    multiplier: float = 1.0,
    astronomical: Collection[int] = (),
    missing: Sequence[int] | None = None,
    runs_signal: bool = True,
    notes: Sequence[str] = (),
) -> SpcResult:
    """Compute lines, labels, runs analysis, icons and notes for every phase."""
    direction = _direction(direction)
    n = len(y)
    excluded = _indices(exclude, n, "exclude")
    astro = _indices(astronomical, n, "astronomical")
    if astro and rules is not RuleSet.IHI:
        raise ValueError("astronomical points are an IHI run chart rule (rules='ihi')")
    cols: dict[str, list] = {k: [] for k in ("centre", "upper", "lower", "upper2", "lower2")}
    labels: list[Label] = []
    phase_results, phase_index = [], []
    all_notes = list(notes)
    missing = [i for i in range(n) if y[i] is None] if missing is None else list(missing)
    if missing:
        shown = ", ".join(str(i + 1) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
        all_notes.append(
            f"{len(missing)} missing period(s) (point(s) {shown}): no moving range "
            "spans a gap, and runs and sequence rules skip missing points."
        )
    if not n:
        all_notes.append("No data: insufficient data for a chart.")
    for ph in _phases(n, phase_starts, baseline, rules):
        lines = lines_fn(ph, excluded)
        for key in cols:
            cols[key].extend(getattr(lines, key))
        ph_labels, runs, shifts = _phase_rules(ph, y, lines, excluded, astro, rules, runs_signal)
        labels.extend(ph_labels)
        phase_index.extend([ph.number - 1] * (ph.stop - ph.start))
        phase_results.append((ph, lines, runs, shifts))
    point_types = [_point_type(lab, direction) for lab in labels]
    phases = []
    for ph, lines, runs, shifts in phase_results:
        n_points = sum(y[i] is not None for i in range(ph.start, ph.stop))
        has_limits = lines.status is LimitStatus.OK
        trial = has_limits and n_points <= TRIAL_MAX_POINTS
        last = next(
            (
                point_types[i]
                for i in reversed(range(ph.start, ph.stop))
                if point_types[i] is not None
            ),
            None,
        )
        centre = lines.centre[0] if lines.centre else None
        phases.append(
            PhaseResult(
                ph.start,
                ph.stop,
                ph.base_stop,
                n_points,
                lines.n_base,
                None if centre is None else centre * multiplier,
                lines.status,
                trial,
                runs,
                shifts,
                last,
            )
        )
        all_notes.extend(_phase_notes(ph, lines, runs, trial, n_points, runs_signal))

    def scaled(col: list[Num]) -> tuple[Num, ...]:
        return tuple(None if v is None else v * multiplier for v in col)

    upper, lower = scaled(cols["upper"]), scaled(cols["lower"])
    last_type = next((t for t in reversed(point_types) if t is not None), None)
    assurance = None
    if phases:  # last row of the last phase that has limits (spc.md §6.2)
        last_ph = phases[-1]
        row = next(
            (i for i in reversed(range(last_ph.start, last_ph.stop)) if upper[i] is not None), None
        )
        if row is not None:
            assurance = assurance_icon(lower[row], upper[row], target, direction)
    return SpcResult(
        chart=chart, rules=rules, direction=direction, target=target,
        values=scaled(y), centre=scaled(cols["centre"]), upper=upper, lower=lower,
        upper_2sigma=scaled(cols["upper2"]), lower_2sigma=scaled(cols["lower2"]),
        labels=tuple(labels), point_types=tuple(point_types),
        special_cause=tuple(lab not in (Label.COMMON_CAUSE, Label.MISSING) for lab in labels),
        excluded=tuple(i in excluded for i in range(n)), phase_index=tuple(phase_index),
        phases=tuple(phases),
        variation_icon=None if last_type is None else variation_icon(last_type, direction),
        assurance_icon=assurance, notes=tuple(all_notes),
    )  # fmt: skip


def _phase_rules(
    ph: _Phase,
    y: list[Num],
    lines: _Lines,
    excluded: set[int],
    astro: set[int],
    rules: RuleSet,
    runs_signal: bool,
) -> tuple[list[Label], RunsAnalysis, tuple[int, ...]]:
    """Labels for one phase, its runs analysis and the starts of sustained shifts."""
    idx = range(ph.start, ph.stop)
    labels = {i: (Label.MISSING if y[i] is None else Label.COMMON_CAUSE) for i in idx}
    for i in idx:  # every plotted point, excluded ones too, is tested against the limits
        v, j = y[i], i - ph.start
        if v is not None and lines.upper[j] is not None:
            if v > lines.upper[j]:
                labels[i] = Label.ABOVE_UCL
            elif v < lines.lower[j]:
                labels[i] = Label.BELOW_LCL
    # Sequence rules see only non-missing, non-excluded points, which become adjacent (§1.2).
    pts = [(i, y[i]) for i in idx if y[i] is not None and i not in excluded]
    cl = lines.centre[0] if lines.centre else None
    signed = [] if cl is None else [(i, _sign(v - cl)) for i, v in pts]
    useful = [(i, s) for i, s in signed if s != 0]  # points on the centre line are skipped
    blocks = _blocks([s for _, s in useful])
    trend_found = False
    if rules is RuleSet.MDC and cl is not None:
        rows = [
            tuple(getattr(lines, k)[i - ph.start] for k in ("upper", "lower", "upper2", "lower2"))
            for i, _ in pts
        ]
        for (i, _), lab in zip(pts, _mdc_labels([v for _, v in pts], cl, rows), strict=True):
            if lab is not None and labels[i] is Label.COMMON_CAUSE:
                labels[i] = lab
        # MDC shift: sign 0 breaks the run, so use the signed (not the useful) sequence.
        shift_starts = tuple(
            signed[b[0]][0]
            for b in _blocks([s for _, s in signed])
            if b[2] != 0 and b[1] >= MDC_SHIFT
        )
    elif rules is RuleSet.IHI and cl is not None:
        trend_found = _ihi_labels(labels, y, pts, useful, blocks, astro, cl)
        shift_starts = tuple(useful[b[0]][0] for b in blocks if b[1] >= IHI_SHIFT)
    else:
        shift_starts = ()
    runs_rules = RuleSet.IHI if rules is RuleSet.IHI else RuleSet.ANHOEJ
    runs = _runs_analysis([s for _, s in useful], runs_rules, trend=trend_found)
    if not runs_signal:  # MR chart: counts reported, signal forced off (spc.md §3.3)
        runs = replace(runs, signal=False)
    elif rules is RuleSet.ANHOEJ and runs.verdict_shown and runs.longest_run_max is not None:
        shift_starts = tuple(useful[b[0]][0] for b in blocks if b[1] > runs.longest_run_max)
    return [labels[i] for i in idx], runs, shift_starts


def _ihi_labels(
    labels: dict[int, Label],
    y: list[Num],
    pts: list[tuple[int, float]],
    useful: list[tuple[int, int]],
    blocks: list[tuple[int, int, int]],
    astro: set[int],
    cl: float,
) -> bool:
    """Apply IHI labels in place (astronomical, trend, shift); return whether a trend exists."""
    trends = _ihi_trends(pts)
    shift = {
        useful[k][0]: s
        for start, length, s in blocks
        if length >= IHI_SHIFT
        for k in range(start, start + length)
    }  # median points inside are not flagged
    for i in labels:
        v = y[i]
        if v is None:
            continue
        if i in astro:  # a user judgement (spc.md §2.4 rule 4), never computed
            labels[i] = {1: Label.ASTRONOMICAL_ABOVE, -1: Label.ASTRONOMICAL_BELOW}.get(
                _sign(v - cl), Label.ASTRONOMICAL
            )
        elif i in trends:
            labels[i] = Label.RUN_TREND_INCREASING if trends[i] > 0 else Label.RUN_TREND_DECREASING
        elif i in shift:
            labels[i] = Label.RUN_SHIFT_ABOVE if shift[i] > 0 else Label.RUN_SHIFT_BELOW
    return bool(trends)


def _phase_notes(
    ph: _Phase, lines: _Lines, runs: RunsAnalysis, trial: bool, n_points: int, runs_signal: bool
) -> list[str]:
    """Human-readable notes for one phase (positions 1-based for people)."""
    out = list(lines.notes)
    if lines.status is LimitStatus.INSUFFICIENT_DATA:
        out.append(f"{ph.name}: insufficient data for a centre line or limits.")
    elif lines.status is LimitStatus.INSUFFICIENT_VARIATION:
        out.append(
            f"{ph.name}: insufficient variation for limits (no variation between "
            "consecutive points), so no point is tested against limits."
        )
    if trial:
        out.append(
            f"{ph.name}: trial limits (only {n_points} points; limits are provisional "
            f"until there are more than {TRIAL_MAX_POINTS})."
        )
    if runs_signal and not runs.verdict_shown and n_points:
        out.append(
            f"{ph.name}: insufficient data for runs analysis ({runs.n_useful} useful "
            f"observations; {RUNS_MIN_USEFUL} needed)."
        )
    return out


# --------------------------------------------------------------------------- public charts


def _rules(rules: RuleSet | str, allowed: tuple[RuleSet, ...]) -> RuleSet:
    try:
        r = RuleSet(rules)
    except ValueError:
        r = None
    if r not in allowed:
        raise ValueError(f"rules must be one of {', '.join(allowed)}, got {rules!r}")
    return r


def _base_seq(ph: _Phase, y: list[Num], excluded: set[int]) -> list[Num]:
    """Baseline values with exclusions removed first (so an MR bridges them) and gaps kept."""
    return [y[i] for i in ph.base(excluded)]


def run_chart(
    values: Sequence[float | None],
    *,
    rules: RuleSet | str = "ihi",
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    astronomical: Collection[int] = (),
) -> SpcResult:
    """Run chart around the baseline median with IHI (default) or Anhøj rules (spc.md §2)."""
    r = _rules(rules, (RuleSet.IHI, RuleSet.ANHOEJ))
    y = _clean(values, "values")

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        vals = [v for v in _base_seq(ph, y, excluded) if v is not None]
        centre = statistics.median(vals) if vals else None
        status = LimitStatus.NOT_APPLICABLE if vals else LimitStatus.INSUFFICIENT_DATA
        return _constant_lines(ph.stop - ph.start, centre, status, len(vals))

    return _build(
        ChartType.RUN,
        r,
        y,
        lines,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        astronomical=astronomical,
    )


def xmr_chart(
    values: Sequence[float | None],
    *,
    rules: RuleSet | str = "mdc",
    screen_outliers: bool | None = None,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """XmR / I chart with MDC (default) or qicharts2 rules (spc.md §3.1, §3.2, §5)."""
    r = _rules(rules, (RuleSet.MDC, RuleSet.ANHOEJ))
    y = _clean(values, "values")
    # Decision (spc.md §3.1): MDC screening defaults off (Excel tool); qicharts2 screens.
    screen = (r is RuleSet.ANHOEJ) if screen_outliers is None else screen_outliers

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        return _values_lines(
            _base_seq(ph, y, excluded), ph.stop - ph.start, mdc=r is RuleSet.MDC, screen=screen
        )

    return _build(
        ChartType.XMR,
        r,
        y,
        lines,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def mr_chart(
    values: Sequence[float | None],
    *,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
) -> SpcResult:
    """Moving-range chart (qicharts2, spc.md §3.3); an MR never spans a phase or a gap."""
    y = _clean(values, "values")
    mr: list[Num] = [None] * len(y)
    for ph in _phases(len(y), phase_starts, None, RuleSet.ANHOEJ):
        for i in range(ph.start + 1, ph.stop):
            if y[i] is not None and y[i - 1] is not None:
                mr[i] = abs(y[i] - y[i - 1])

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        vals = [mr[i] for i in ph.base(excluded) if mr[i] is not None]  # unscreened
        size = ph.stop - ph.start
        if not vals:
            return _constant_lines(size, None, LimitStatus.INSUFFICIENT_DATA, 0)
        centre = _mean(vals)
        if centre == 0:
            return _constant_lines(size, centre, LimitStatus.INSUFFICIENT_VARIATION, len(vals))
        none: list[Num] = [None] * size  # qicharts2 MR chart: no 2σ lines
        return _Lines(
            [centre] * size,
            [MR_SCREEN * centre] * size,
            [0.0] * size,
            none,
            none,
            LimitStatus.OK,
            len(vals),
        )

    # A rising MR is neither better nor worse, so the direction is fixed to neutral.
    return _build(
        ChartType.MR,
        RuleSet.ANHOEJ,
        mr,
        lines,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=Direction.NEUTRAL,
        missing=[i for i, v in enumerate(y) if v is None],
        runs_signal=False,
    )


def _rate_chart(
    chart: ChartType,
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    *,
    binomial: bool,
    prime: bool,
    screen: bool,
    multiplier: float,
    **common: object,
) -> SpcResult:
    """Shared implementation of the p, u, p′ and u′ charts."""
    m = _number(multiplier, "multiplier")
    if m <= 0:
        raise ValueError("multiplier must be positive")
    x, n = _clean_rates(numerators, denominators, binomial=binomial)
    y: list[Num] = [None if xi is None else xi / ni for xi, ni in zip(x, n, strict=True)]
    notes = []
    if not prime and any(ni is not None and ni > LARGE_DENOMINATOR for ni in n):
        alt = "p′" if binomial else "u′"
        notes.append(
            f"Denominators above {LARGE_DENOMINATOR}: {chart.value} chart limits may be "
            f"too narrow and over-signal; consider the {alt} chart."
        )

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        return _rate_lines(ph, x, n, excluded, binomial=binomial, prime=prime, screen=screen)

    return _build(chart, RuleSet.ANHOEJ, y, lines, multiplier=m, notes=notes, **common)  # type: ignore[arg-type]


def p_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    *,
    multiplier: float = 1,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """p chart of proportions x/n, limits capped to [0, 1] (spc.md §4)."""
    return _rate_chart(
        ChartType.P,
        numerators,
        denominators,
        binomial=True,
        prime=False,
        screen=False,
        multiplier=multiplier,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def u_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    *,
    multiplier: float = 1,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """u chart of rates x/n, LCL floored at 0 (spc.md §4)."""
    return _rate_chart(
        ChartType.U,
        numerators,
        denominators,
        binomial=False,
        prime=False,
        screen=False,
        multiplier=multiplier,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def pp_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    *,
    multiplier: float = 1,
    screen_outliers: bool = True,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """Laney p′ chart for large denominators (spc.md §4)."""
    return _rate_chart(
        ChartType.PP,
        numerators,
        denominators,
        binomial=True,
        prime=True,
        screen=screen_outliers,
        multiplier=multiplier,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def up_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    *,
    multiplier: float = 1,
    screen_outliers: bool = True,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """Laney u′ chart for large denominators (spc.md §4)."""
    return _rate_chart(
        ChartType.UP,
        numerators,
        denominators,
        binomial=False,
        prime=True,
        screen=screen_outliers,
        multiplier=multiplier,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def c_chart(
    counts: Sequence[float | None],
    *,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """c chart of counts: c̄ ± 3√c̄, LCL floored at 0 (spc.md §4)."""
    y = _clean(counts, "counts", nonnegative=True)

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        vals = [v for v in _base_seq(ph, y, excluded) if v is not None]
        size = ph.stop - ph.start
        if not vals:
            return _constant_lines(size, None, LimitStatus.INSUFFICIENT_DATA, 0)
        centre = _mean(vals)
        s = math.sqrt(centre)
        return _constant_lines(
            size, centre, LimitStatus.OK, len(vals), half3=3 * s, half2=2 * s, floor=0.0
        )

    return _build(
        ChartType.C,
        RuleSet.ANHOEJ,
        y,
        lines,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def g_chart(
    counts: Sequence[float | None],
    *,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """g chart of counts between events: limits from the mean, centre = median (spc.md §4)."""
    y = _clean(counts, "counts", nonnegative=True)

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        vals = [v for v in _base_seq(ph, y, excluded) if v is not None]
        size = ph.stop - ph.start
        if not vals:
            return _constant_lines(size, None, LimitStatus.INSUFFICIENT_DATA, 0)
        mean = _mean(vals)
        s = math.sqrt(mean * (mean + 1))
        return _constant_lines(
            size,
            statistics.median(vals),
            LimitStatus.OK,
            len(vals),
            mid=mean,
            half3=3 * s,
            half2=2 * s,
            floor=0.0,
        )

    return _build(
        ChartType.G,
        RuleSet.ANHOEJ,
        y,
        lines,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def t_chart(
    times: Sequence[float | None],
    *,
    screen_outliers: bool = True,
    phase_starts: Collection[int] = (),
    baseline: Baseline = None,
    exclude: Collection[int] = (),
    direction: Direction | str = "increase",
    target: float | None = None,
) -> SpcResult:
    """t chart of times between events: I chart of y^(1/3.6), back-transformed (spc.md §4)."""
    y = _clean(times, "times", nonnegative=True)
    yt = [None if v is None else v ** (1 / T_POWER) for v in y]

    def back(v: Num) -> Num:
        return None if v is None else max(v, 0.0) ** T_POWER  # LCL floored at 0

    def lines(ph: _Phase, excluded: set[int]) -> _Lines:
        t = _values_lines(
            _base_seq(ph, yt, excluded), ph.stop - ph.start, mdc=False, screen=screen_outliers
        )
        return _Lines(
            *([back(v) for v in col] for col in (t.centre, t.upper, t.lower, t.upper2, t.lower2)),
            t.status,
            t.n_base,
        )

    return _build(
        ChartType.T,
        RuleSet.ANHOEJ,
        y,
        lines,
        phase_starts=phase_starts,
        baseline=baseline,
        exclude=exclude,
        direction=direction,
        target=target,
    )


def suggest_rebase(result: SpcResult) -> int | None:
    """Index where a sustained shift starts in the last phase (after its first point), or None.

    Only a suggestion: rebasing is a human decision (spc.md §7). Uses the chart's shift rule:
    MDC 7 points on one side of the mean, IHI 6 points off the median, Anhøj longest run.
    """
    if not result.phases:
        return None
    last = result.phases[-1]
    return next((s for s in last.shift_starts if s > last.start), None)
