"""Centre lines and limits of one phase: XmR (MDC and qicharts2), rates, constant lines."""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .constants import D2, MDC_LIMIT, MDC_NEAR, MR_SCREEN
from .inputs import Num, Phase
from .vocab import LimitStatus

COLUMNS = ("centre", "upper", "lower", "upper2", "lower2")


@dataclass
class Lines:
    """Centre and limit lines of one phase, raw scale, one entry per period."""

    centre: list[Num]
    upper: list[Num]
    lower: list[Num]
    upper2: list[Num]
    lower2: list[Num]
    status: LimitStatus
    n_base: int
    notes: tuple[str, ...] = ()

    def row(self, j: int) -> tuple[Num, Num, Num, Num]:
        """(upper, lower, upper2, lower2) at the phase's j-th period."""
        return self.upper[j], self.lower[j], self.upper2[j], self.lower2[j]


def constant_lines(
    size: int,
    centre: Num,
    status: LimitStatus,
    n_base: int,
    *,
    mid: Num = None,
    half3: Num = None,
    half2: Num = None,
    floor: float | None = None,
) -> Lines:
    """Lines constant over a phase; limits mid ± half, optionally floored (None = no limits)."""
    mid = centre if mid is None else mid
    if status is not LimitStatus.OK or half3 is None or half2 is None or mid is None:
        return Lines([centre] * size, *([None] * size for _ in range(4)), status, n_base)

    def low(v: float) -> float:
        return v if floor is None else max(v, floor)

    up3, lo3, up2, lo2 = mid + half3, low(mid - half3), mid + half2, low(mid - half2)
    return Lines(
        [centre] * size, [up3] * size, [lo3] * size, [up2] * size, [lo2] * size, status, n_base
    )


def no_data(size: int) -> Lines:
    """Lines of a phase without a single usable point."""
    return constant_lines(size, None, LimitStatus.INSUFFICIENT_DATA, 0)


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def average_mr(seq: Sequence[Num], screen: bool) -> tuple[float | None, LimitStatus]:
    """Average moving range of consecutive non-missing values; None never bridged (§1.2)."""
    mrs = [abs(b - a) for a, b in pairwise(seq) if a is not None and b is not None]
    if not mrs:
        return None, LimitStatus.INSUFFICIENT_DATA
    amr = mean(mrs)
    if screen:
        kept = [m for m in mrs if m < MR_SCREEN * amr]  # strict <; the mean is not recomputed
        amr = mean(kept) if kept else 0.0  # nothing kept only when amr was 0 (R gives NaN)
    if amr == 0:  # SPEC.md §8/§9: show "insufficient variation" rather than flag every point
        return None, LimitStatus.INSUFFICIENT_VARIATION
    return amr, LimitStatus.OK


def values_lines(seq: list[Num], size: int, *, mdc: bool, screen: bool) -> Lines:
    """XmR lines from the baseline sequence (MDC §3.1 or qicharts2 I chart §3.2)."""
    vals = [v for v in seq if v is not None]
    if not vals:
        return no_data(size)
    centre = mean(vals)
    amr, status = average_mr(seq, screen)
    if amr is None:
        return constant_lines(size, centre, status, len(vals))
    if mdc:
        return constant_lines(
            size, centre, status, len(vals), half3=MDC_LIMIT * amr, half2=MDC_NEAR * amr
        )
    sigma = amr / D2
    return constant_lines(size, centre, status, len(vals), half3=3 * sigma, half2=2 * sigma)


def rate_lines(
    ph: Phase,
    x: list[Num],
    n: list[Num],
    excluded: Collection[int],
    *,
    binomial: bool,
    prime: bool,
    screen: bool,
) -> Lines:
    """p/u (and p′/u′) lines: weighted centre, per-point sigma (SPEC.md §4)."""
    used = [i for i in ph.base(excluded) if x[i] is not None]
    if not used:
        return no_data(ph.size)
    # Weighted: sum(x)/sum(n), NOT the mean of the proportions.
    centre = math.fsum(x[i] for i in used) / math.fsum(n[i] for i in used)
    var = centre * (1 - centre) if binomial else centre
    scale, status = 1.0, LimitStatus.OK
    if prime:
        scale, status = _laney_scale(ph.base(excluded), x, n, centre, var, screen)
    lines = constant_lines(ph.size, centre, status, len(used))
    if not prime and var == 0:
        lines.notes = (f"{ph.name}: centre line is {centre:g}, so the limits equal the centre.",)
    if status is LimitStatus.OK:
        sigmas = [
            None if x[i] is None else math.sqrt(var / n[i]) * scale  # None: n = 0 or missing
            for i in range(ph.start, ph.stop)
        ]
        _set_rate_limits(lines, centre, sigmas, cap=1.0 if binomial else None)
    return lines


def _laney_scale(
    base: list[int], x: list[Num], n: list[Num], centre: float, var: float, screen: bool
) -> tuple[float, LimitStatus]:
    """Laney's sigma_z from the moving ranges of the baseline's z-scores (p′ and u′)."""
    if var == 0:
        return 1.0, LimitStatus.INSUFFICIENT_VARIATION
    z = [None if x[i] is None else (x[i] / n[i] - centre) / math.sqrt(var / n[i]) for i in base]
    amr, status = average_mr(z, screen)
    return (0.0 if amr is None else amr / D2), status


def _set_rate_limits(lines: Lines, centre: float, sigmas: list[Num], cap: float | None) -> None:
    """Per-point limits centre ± k·σ_i: upper ones capped (p at 1), lower ones floored at 0."""
    for j, s in enumerate(sigmas):
        if s is None:
            continue  # qicharts2 gives NA
        pairs = ((lines.upper, 3), (lines.lower, -3), (lines.upper2, 2), (lines.lower2, -2))
        for column, k in pairs:
            v = centre + k * s
            column[j] = max(v, 0.0) if k < 0 else (v if cap is None else min(v, cap))
