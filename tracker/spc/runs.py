"""Runs analysis around a centre line: Anhøj and IHI critical values, IHI point rules."""

import functools
import math
from collections.abc import Collection, Sequence
from itertools import pairwise

from .constants import IHI_SHIFT, IHI_TREND, RUNS_MIN_USEFUL
from .results import RunsAnalysis
from .vocab import Label, RuleSet

Block = tuple[int, int, int]  # (start, length, value)

# SPEC.md §2.4.3: IHI too-few/too-many runs limits "N:L:U" (too few if runs < L, too many if
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


def anhoej_limits(n: int) -> tuple[int, int] | None:
    """Anhøj (longest_run_max, crossings_min) for n useful observations; None when n < 1."""
    if n < 1:
        return None
    longest_max = round(math.log2(n) + 3)  # half-even like R; never exactly .5 (SPEC.md §2.3)
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


@functools.lru_cache(maxsize=1024)
def swed_eisenhart_limits(n: int) -> tuple[int, int]:
    """Exact runs limits (alpha 0.025 per tail, m = n//2); reproduces the §2.4.3 table.

    `lower` is the most runs r with P(fewer than r runs) <= 2.5%, `upper` the fewest with
    P(more than r runs) <= 2.5%. The counts come from rows of binomials and the tails are
    running sums: summing each tail afresh over comb() for every r took seconds for a series
    of a few thousand points, and most of a minute for ten thousand."""
    m, k = n // 2, n - n // 2
    counts = _runs_counts(m, k)  # by number of runs
    total = math.comb(n, m)
    lower, below = 2, 0  # below: arrangements with fewer than r runs
    for r in range(2, n + 2):
        below += counts[r - 1]
        if 40 * below > total:
            break
        lower = r
    upper, above = n, 0  # above: arrangements with more than r runs
    for r in range(n, 0, -1):
        if r < n:
            above += counts[r + 1]
        if 40 * above > total:
            break
        upper = r
    return lower, upper


def _binomials(a: int) -> list[int]:
    """C(a, 0) … C(a, a), each from the one before (no factorials)."""
    row = [1]
    for h in range(a):
        row.append(row[-1] * (a - h) // (h + 1))
    return row


def _runs_counts(m: int, k: int) -> list[int]:
    """_runs_count(m, k, r) for every r from 0 to m + k (0 where impossible), from two rows of
    binomials: linear in big-number operations, where one comb() per r was quadratic."""
    cm, ck = _binomials(m - 1), _binomials(k - 1)

    def c(row: list[int], j: int) -> int:
        return row[j] if 0 <= j < len(row) else 0

    counts = [0] * (m + k + 1)
    for r in range(2, m + k + 1):
        h = r // 2
        counts[r] = (2 * c(cm, h - 1) * c(ck, h - 1) if r % 2 == 0
                     else c(cm, h) * c(ck, h - 1) + c(cm, h - 1) * c(ck, h))
    return counts


def _runs_count(m: int, k: int, r: int) -> int:
    """Number of arrangements of m and k items with exactly r runs."""
    h = r // 2
    if r % 2 == 0:
        return 2 * math.comb(m - 1, h - 1) * math.comb(k - 1, h - 1)
    return math.comb(m - 1, h) * math.comb(k - 1, h - 1) + math.comb(m - 1, h - 1) * math.comb(
        k - 1, h
    )


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


def blocks(seq: Sequence[int]) -> list[Block]:
    """Maximal runs of equal values as (start, length, value)."""
    out: list[Block] = []
    for j, v in enumerate(seq):
        if out and out[-1][2] == v:
            start, length, _ = out[-1]
            out[-1] = (start, length + 1, v)
        else:
            out.append((j, 1, v))
    return out


def runs_analysis(signs: list[int], rules: RuleSet, *, trend: bool = False) -> RunsAnalysis:
    """Runs figures for a sign sequence with zeros already removed (SPEC.md §2.2)."""
    n, found = len(signs), blocks(signs)
    longest = max((b[1] for b in found), default=0)
    runs = len(found)
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


def anhoej_shift_starts(useful: list[tuple[int, int]], runs: RunsAnalysis) -> tuple[int, ...]:
    """Where runs longer than the Anhøj limit start, once the verdict is shown."""
    if not runs.verdict_shown or runs.longest_run_max is None:
        return ()
    found = blocks([s for _, s in useful])
    return tuple(useful[b[0]][0] for b in found if b[1] > runs.longest_run_max)


def ihi_trends(points: list[tuple[int, float]]) -> dict[int, int]:
    """Index -> ±1 for points in an IHI trend: >= 5 collapsed points, ties ignored (§2.4)."""
    groups: list[tuple[float, list[int]]] = []
    for i, v in points:
        if groups and groups[-1][0] == v:
            groups[-1][1].append(i)  # equal successive values neither add to nor break a trend
        else:
            groups.append((v, [i]))
    diffs = [sign(b[0] - a[0]) for a, b in pairwise(groups)]
    out: dict[int, int] = {}
    for start, length, s in blocks(diffs):
        if length + 1 >= IHI_TREND:  # later stretches overwrite: a shared peak takes the right
            for _, idx in groups[start : start + length + 1]:
                out.update(dict.fromkeys(idx, s))
    return out


def apply_ihi(
    labels: dict[int, Label],
    y: Sequence[float | None],
    points: list[tuple[int, float]],
    useful: list[tuple[int, int]],
    astronomical: Collection[int],
    centre: float,
) -> tuple[bool, tuple[int, ...]]:
    """Label IHI signals in place (SPEC.md §2.4); return (trend found, shift starts).

    `points` are the phase's usable (index, value) pairs and `useful` their (index, sign)
    pairs off the median. Precedence: astronomical, then trend, then shift.
    """
    trends = ihi_trends(points)
    found = [b for b in blocks([s for _, s in useful]) if b[1] >= IHI_SHIFT]
    shift = {
        useful[k][0]: s for start, length, s in found for k in range(start, start + length)
    }  # median points inside are not flagged
    for i in labels:
        v = y[i]
        if v is None:
            continue
        if i in astronomical:  # a user judgement (SPEC.md §2.4 rule 4), never computed
            labels[i] = _ASTRONOMICAL.get(sign(v - centre), Label.ASTRONOMICAL)
        elif i in trends:
            labels[i] = Label.RUN_TREND_INCREASING if trends[i] > 0 else Label.RUN_TREND_DECREASING
        elif i in shift:
            labels[i] = Label.RUN_SHIFT_ABOVE if shift[i] > 0 else Label.RUN_SHIFT_BELOW
    return bool(trends), tuple(useful[b[0]][0] for b in found)


_ASTRONOMICAL = {1: Label.ASTRONOMICAL_ABOVE, -1: Label.ASTRONOMICAL_BELOW}
