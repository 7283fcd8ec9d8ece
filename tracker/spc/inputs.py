"""Checking what callers pass: numbers, 0-based indices, and the phases they describe."""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .constants import MDC_MIN_BASELINE
from .options import Baseline
from .vocab import RuleSet

Num = float | None  # None = missing / undefined
Values = Sequence[Num]  # one per period, in order


@dataclass(frozen=True)
class Phase:
    """One phase of a series: periods start..stop, of which start..base_stop set the lines."""

    number: int  # 1-based, for notes
    start: int
    stop: int
    base_stop: int

    @property
    def name(self) -> str:
        return f"Phase {self.number} (points {self.start + 1}-{self.stop})"

    @property
    def size(self) -> int:
        return self.stop - self.start

    def base(self, excluded: Collection[int]) -> list[int]:
        """Baseline period indices that are not excluded (missing ones included)."""
        return [i for i in range(self.start, self.base_stop) if i not in excluded]


def number(v: object, what: str) -> float:
    """`v` as a finite float, or a ValueError naming `what`."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{what}: expected a number or None, got {v!r}")
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"{what}: value must be finite (use None for a missing period)")
    return f


def clean(values: Sequence[object], name: str, *, nonnegative: bool = False) -> list[Num]:
    """The values as floats, None kept as a missing period."""
    out: list[Num] = []
    for i, v in enumerate(values):
        f = None if v is None else number(v, f"{name}[{i}]")
        if nonnegative and f is not None and f < 0:
            raise ValueError(f"{name}[{i}]: negative value {f:g} is not allowed")
        out.append(f)
    return out


def clean_rates(
    numerators: Sequence[object], denominators: Sequence[object], *, binomial: bool
) -> tuple[list[Num], list[Num]]:
    """Validate x and n (SPEC.md §1.3); missing x or n, or n = 0, is a missing period."""
    if len(numerators) != len(denominators):
        raise ValueError("numerators and denominators must have the same length")
    xs = clean(numerators, "numerators", nonnegative=True)
    ns = clean(denominators, "denominators", nonnegative=True)
    for i, (x, n) in enumerate(zip(xs, ns, strict=True)):
        if x is None or n is None or n == 0:
            if x and n == 0:
                raise ValueError(f"index {i}: numerator {x:g} with a zero denominator")
            xs[i] = ns[i] = None
        elif binomial and x > n:
            raise ValueError(f"index {i}: numerator {x:g} exceeds denominator {n:g}")
    return xs, ns


def indices(values: Collection[int], n: int, name: str) -> set[int]:
    """The indices as a set, each checked to be a valid 0-based index for n points."""
    out = set()
    for i in values:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise ValueError(f"{name}: {i!r} is not a valid 0-based index for {n} points")
        out.add(i)
    return out


def split_phases(
    n: int, phase_starts: Collection[int], baseline: Baseline, rules: RuleSet
) -> list[Phase]:
    """Split 0..n into phases and apply the per-phase baseline length."""
    starts = sorted(indices(phase_starts, n, "phase_starts") | ({0} if n else set()))
    bounds = list(pairwise([*starts, n]))
    lengths = _baseline_lengths(baseline, len(bounds))
    out = []
    for k, ((start, stop), length) in enumerate(zip(bounds, lengths, strict=True)):
        _check_baseline(length, rules)
        stop_base = stop if length is None else min(start + length, stop)
        out.append(Phase(k + 1, start, stop, stop_base))
    return out


def _baseline_lengths(baseline: Baseline, phases: int) -> list[int | None]:
    if baseline is None or isinstance(baseline, int):
        return [baseline] * phases
    lengths = list(baseline)
    if len(lengths) != phases:
        raise ValueError(f"baseline: expected {phases} values (one per phase)")
    return lengths


def _check_baseline(length: int | None, rules: RuleSet) -> None:
    if length is None:
        return
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"baseline: {length!r} must be a positive whole number")
    if rules is RuleSet.MDC and length < MDC_MIN_BASELINE:
        raise ValueError(
            "baseline: Making Data Count needs at least 12 points (fix_after_n_points >= 12)"
        )
