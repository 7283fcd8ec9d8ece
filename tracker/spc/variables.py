"""Charts of single values: run chart, XmR (I) chart, MR chart and t chart (SPEC.md §2, §3, §4)."""

import statistics
from dataclasses import replace

from .assemble import build
from .constants import MR_SCREEN, T_POWER
from .inputs import Num, Phase, Values, clean, split_phases
from .limits import Lines, constant_lines, mean, no_data, values_lines
from .options import PHASING, Options, resolve, rule_set
from .results import SpcResult
from .vocab import ChartType, Direction, LimitStatus, RuleSet

_RUN_USES = PHASING | {"rules", "direction", "astronomical"}
_XMR_USES = PHASING | {"rules", "screen_outliers", "direction", "target"}
_T_USES = PHASING | {"screen_outliers", "direction", "target"}


def run_chart(values: Values, options: Options | None = None, /, **settings) -> SpcResult:
    """Run chart around the baseline median with IHI (default) or Anhøj rules (SPEC.md §2).

    Settings: rules ("ihi" or "anhoej"), phase_starts, baseline, exclude, direction,
    astronomical (IHI only).
    """
    opts = resolve("run_chart", _RUN_USES, options, settings)
    rules = rule_set(opts.rules, (RuleSet.IHI, RuleSet.ANHOEJ))
    y = clean(values, "values")

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        vals = [v for i in ph.base(excluded) if (v := y[i]) is not None]
        centre = statistics.median(vals) if vals else None
        status = LimitStatus.NOT_APPLICABLE if vals else LimitStatus.INSUFFICIENT_DATA
        return constant_lines(ph.size, centre, status, len(vals))

    return build(ChartType.RUN, rules, y, lines, opts)


def xmr_chart(values: Values, options: Options | None = None, /, **settings) -> SpcResult:
    """XmR / I chart with MDC (default) or qicharts2 rules (SPEC.md §3.1, §3.2, §5).

    Settings: rules ("mdc" or "anhoej"), screen_outliers (default off for MDC, on for
    qicharts2), phase_starts, baseline, exclude, direction, target.
    """
    opts = resolve("xmr_chart", _XMR_USES, options, settings)
    rules = rule_set(opts.rules, (RuleSet.MDC, RuleSet.ANHOEJ))
    y = clean(values, "values")
    # Decision (SPEC.md §3.1): MDC screening defaults off (Excel tool); qicharts2 screens.
    screen = rules is RuleSet.ANHOEJ if opts.screen_outliers is None else opts.screen_outliers

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        base = [y[i] for i in ph.base(excluded)]  # exclusions dropped (an MR bridges them)
        return values_lines(base, ph.size, mdc=rules is RuleSet.MDC, screen=screen)

    return build(ChartType.XMR, rules, y, lines, opts)


def mr_chart(values: Values, options: Options | None = None, /, **settings) -> SpcResult:
    """Moving-range chart (qicharts2, SPEC.md §3.3); an MR never spans a phase or a gap.

    Settings: phase_starts, baseline, exclude. A rising MR is neither better nor worse, so
    the direction is always neutral.
    """
    opts = resolve("mr_chart", PHASING, options, settings)
    y = clean(values, "values")
    mr: list[Num] = [None] * len(y)
    for ph in split_phases(len(y), opts.phase_starts, None, RuleSet.ANHOEJ):
        for i in range(ph.start + 1, ph.stop):
            if y[i] is not None and y[i - 1] is not None:
                mr[i] = abs(y[i] - y[i - 1])

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        vals = [v for i in ph.base(excluded) if (v := mr[i]) is not None]  # unscreened
        if not vals:
            return no_data(ph.size)
        centre = mean(vals)
        if centre == 0:
            return constant_lines(ph.size, centre, LimitStatus.INSUFFICIENT_VARIATION, len(vals))
        none: list[Num] = [None] * ph.size  # qicharts2 MR chart: no 2σ lines
        size = ph.size
        return Lines(
            [centre] * size, [MR_SCREEN * centre] * size, [0.0] * size, none, none,
            LimitStatus.OK, len(vals),
        )  # fmt: skip

    gaps = [i for i, v in enumerate(y) if v is None]  # the first MR of a phase is not a gap
    neutral = replace(opts, direction=Direction.NEUTRAL)
    return build(ChartType.MR, RuleSet.ANHOEJ, mr, lines, neutral, missing=gaps, runs_signal=False)


def t_chart(times: Values, options: Options | None = None, /, **settings) -> SpcResult:
    """t chart of times between events: I chart of y^(1/3.6), back-transformed (SPEC.md §4).

    Settings: screen_outliers (default on), phase_starts, baseline, exclude, direction, target.
    """
    opts = resolve("t_chart", _T_USES, options, settings)
    y = clean(times, "times", nonnegative=True)
    yt = [None if v is None else v ** (1 / T_POWER) for v in y]
    screen = True if opts.screen_outliers is None else opts.screen_outliers

    def back(v: Num) -> Num:
        return None if v is None else max(v, 0.0) ** T_POWER  # LCL floored at 0

    def lines(ph: Phase, excluded: set[int]) -> Lines:
        t = values_lines([yt[i] for i in ph.base(excluded)], ph.size, mdc=False, screen=screen)
        cols = ([back(v) for v in col] for col in (t.centre, t.upper, t.lower, t.upper2, t.lower2))
        return Lines(*cols, t.status, t.n_base)

    return build(ChartType.T, RuleSet.ANHOEJ, y, lines, opts)
