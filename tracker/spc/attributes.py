"""Charts of counts and rates: p, u, p′, u′ (one table), c and g (SPEC.md §4)."""

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

from .assemble import build
from .constants import LARGE_DENOMINATOR
from .inputs import Num, Phase, Values, clean, clean_rates, number
from .limits import Lines, constant_lines, mean, no_data, rate_lines
from .options import PHASING, Options, resolve
from .results import SpcResult
from .vocab import ChartType, LimitStatus, RuleSet

RateChartFn = Callable[..., SpcResult]

_COUNT_USES = PHASING | {"direction", "target"}
_RATE_USES = _COUNT_USES | {"multiplier"}


@dataclass(frozen=True)
class RateChart:
    """How one rate chart differs from the others."""

    binomial: bool  # proportions (p, p′): σ from p̄(1 − p̄), limits capped to [0, 1]
    prime: bool  # Laney (p′, u′): σ_i scaled by the spread of the z-scores
    doc: str


RATE_CHARTS: dict[ChartType, RateChart] = {
    ChartType.P: RateChart(True, False, "p chart of proportions x/n, limits capped to [0, 1]"),
    ChartType.U: RateChart(False, False, "u chart of rates x/n, LCL floored at 0"),
    ChartType.PP: RateChart(True, True, "Laney p′ chart for large denominators"),
    ChartType.UP: RateChart(False, True, "Laney u′ chart for large denominators"),
}


def rate_chart(
    chart: ChartType,
    numerators: Values,
    denominators: Values,
    options: Options | None = None,
    /,
    **settings,
) -> SpcResult:
    """A p, u, p′ or u′ chart of numerators over denominators (SPEC.md §1.3, §4)."""
    kind = RATE_CHARTS[chart]
    uses = _RATE_USES | ({"screen_outliers"} if kind.prime else set())
    opts = resolve(f"{chart.value}_chart", uses, options, settings)
    multiplier = number(opts.multiplier, "multiplier")
    if multiplier <= 0:
        raise ValueError("multiplier must be positive")
    x, n = clean_rates(numerators, denominators, binomial=kind.binomial)
    y: list[Num] = [None if xi is None else xi / ni for xi, ni in zip(x, n, strict=True)]
    screen = opts.screen_outliers is not False  # Laney charts screen unless told not to

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        return rate_lines(
            ph, x, n, excluded, binomial=kind.binomial, prime=kind.prime, screen=screen
        )

    notes = _large_denominator_notes(chart, kind, n)
    return build(chart, RuleSet.ANHOEJ, y, lines, replace(opts, multiplier=multiplier), notes=notes)


def _large_denominator_notes(chart: ChartType, kind: RateChart, n: list[Num]) -> list[str]:
    """Suggest the Laney chart when large denominators make p or u limits too narrow (§8)."""
    if kind.prime or not any(ni is not None and ni > LARGE_DENOMINATOR for ni in n):
        return []
    alt = "p′" if kind.binomial else "u′"
    return [
        f"Denominators above {LARGE_DENOMINATOR}: {chart.value} chart limits may be "
        f"too narrow and over-signal; consider the {alt} chart."
    ]


def _rate_chart_function(chart: ChartType) -> RateChartFn:
    """A public `<chart>_chart(numerators, denominators, options=None, /, **settings)`."""

    def fn(numerators: Values, denominators: Values, options: Options | None = None, /, **settings):
        return rate_chart(chart, numerators, denominators, options, **settings)

    fn.__name__ = fn.__qualname__ = f"{chart.value}_chart"
    fn.__doc__ = (
        f"{RATE_CHARTS[chart].doc} (SPEC.md §4).\n\nSettings: multiplier, phase_starts, "
        "baseline, exclude, direction, target"
        + (", screen_outliers (default on)." if RATE_CHARTS[chart].prime else ".")
    )
    return fn


p_chart = _rate_chart_function(ChartType.P)
u_chart = _rate_chart_function(ChartType.U)
pp_chart = _rate_chart_function(ChartType.PP)
up_chart = _rate_chart_function(ChartType.UP)


def c_chart(counts: Values, options: Options | None = None, /, **settings) -> SpcResult:
    """c chart of counts: c̄ ± 3√c̄, LCL floored at 0 (SPEC.md §4).

    Settings: phase_starts, baseline, exclude, direction, target.
    """
    opts = resolve("c_chart", _COUNT_USES, options, settings)
    y = clean(counts, "counts", nonnegative=True)

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        vals = [v for i in ph.base(excluded) if (v := y[i]) is not None]
        if not vals:
            return no_data(ph.size)
        centre = mean(vals)
        s = math.sqrt(centre)
        return constant_lines(
            ph.size, centre, LimitStatus.OK, len(vals), half3=3 * s, half2=2 * s, floor=0.0
        )

    return build(ChartType.C, RuleSet.ANHOEJ, y, lines, opts)


def g_chart(counts: Values, options: Options | None = None, /, **settings) -> SpcResult:
    """g chart of counts between events: limits from the mean, centre = median (SPEC.md §4).

    Settings: phase_starts, baseline, exclude, direction, target.
    """
    opts = resolve("g_chart", _COUNT_USES, options, settings)
    y = clean(counts, "counts", nonnegative=True)

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        vals = [v for i in ph.base(excluded) if (v := y[i]) is not None]
        if not vals:
            return no_data(ph.size)
        mid = mean(vals)
        s = math.sqrt(mid * (mid + 1))
        return constant_lines(
            ph.size, statistics.median(vals), LimitStatus.OK, len(vals),
            mid=mid, half3=3 * s, half2=2 * s, floor=0.0,
        )  # fmt: skip

    return build(ChartType.G, RuleSet.ANHOEJ, y, lines, opts)
