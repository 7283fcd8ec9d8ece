"""A measure's data at a site as a chart: the period grid, the spc result, a summary in words.

Plain functions over model objects and plain values; no Flask. `tracker.spc` does the maths.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .. import spc
from ..models import DataKind, Measure
from ..spc import ChartType, RuleSet
from . import periods

# Chart types offered per data kind (tracker/spc/SPEC.md §1.4, §4): percentages as XmR (Making
# Data Count) or p/p′ charts, or as u/u′ charts of the rate per 100 of the denominator; counts
# as XmR or c charts, or a g chart when each value counts cases between events; continuous
# values as XmR charts, or a t chart when each value is the time between events.
CHART_TYPES: dict[DataKind, tuple[ChartType, ...]] = {
    DataKind.PROPORTION: (ChartType.XMR, ChartType.RUN, ChartType.P, ChartType.PP, ChartType.U,
                          ChartType.UP),
    DataKind.COUNT: (ChartType.XMR, ChartType.RUN, ChartType.C, ChartType.G),
    DataKind.CONTINUOUS: (ChartType.XMR, ChartType.RUN, ChartType.T),
}
CHART_NAMES = {
    ChartType.XMR: "XmR (individuals) chart",
    ChartType.RUN: "Run chart",
    ChartType.P: "p chart",
    ChartType.PP: "p′ (Laney) chart",
    ChartType.C: "c chart",
    ChartType.U: "u chart",
    ChartType.UP: "u′ (Laney) chart",
    ChartType.G: "g chart (cases between events)",
    ChartType.T: "t chart (time between events)",
}
# Rule sets per chart, the default first (tracker/spc/SPEC.md §9).
RULE_SETS: dict[ChartType, tuple[RuleSet, ...]] = {
    ChartType.RUN: (RuleSet.IHI, RuleSet.ANHOEJ),
    ChartType.XMR: (RuleSet.MDC, RuleSet.ANHOEJ),
    ChartType.P: (RuleSet.ANHOEJ,),
    ChartType.PP: (RuleSet.ANHOEJ,),
    ChartType.C: (RuleSet.ANHOEJ,),
    ChartType.U: (RuleSet.ANHOEJ,),
    ChartType.UP: (RuleSet.ANHOEJ,),
    ChartType.G: (RuleSet.ANHOEJ,),
    ChartType.T: (RuleSet.ANHOEJ,),
}
RULE_NAMES = {
    RuleSet.IHI: "IHI run chart rules",
    RuleSet.ANHOEJ: "Anhøj rules (qicharts2)",
    RuleSet.MDC: "Making Data Count rules",
}
VIEWS = ("spc", "run")
# The spc function per chart: charts of the plotted values, and charts of numerator/denominator.
VALUE_CHARTS = {ChartType.RUN: spc.run_chart, ChartType.XMR: spc.xmr_chart,
                ChartType.C: spc.c_chart, ChartType.G: spc.g_chart, ChartType.T: spc.t_chart}
RATE_CHARTS = {ChartType.P: spc.p_chart, ChartType.PP: spc.pp_chart, ChartType.U: spc.u_chart,
               ChartType.UP: spc.up_chart}
# Flags a person sets on a point (models.PointFlag.kind).
EXCLUDED, ASTRONOMICAL = "excluded", "astronomical"


@dataclass(frozen=True)
class Point:
    """One period of the grid; all None for a missing period."""

    period: date
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None  # on the plotted scale: a percentage for proportions
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Chart:
    """Everything a page, a download or a small multiple shows of one site's series."""

    measure: Measure
    view: str  # "spc" or "run"
    chart: ChartType
    rules: RuleSet
    points: tuple[Point, ...]
    result: spc.SpcResult | None  # None when the data cannot be charted (error says why)
    phase_starts: tuple[int, ...]
    error: str = ""
    excluded: tuple[int, ...] = ()  # grid indices left out of the centre, limits and runs
    astronomical: tuple[int, ...] = ()  # grid indices judged astronomical (IHI rule 4)
    # What the chart was made from, when it is kept between requests (`drawing.chart`).
    key: Hashable | None = field(default=None, compare=False, repr=False)

    @property
    def latest(self) -> Point | None:
        return next((p for p in reversed(self.points) if not p.missing), None)

    @property
    def suggested_rebase(self) -> date | None:
        """Where a sustained shift starts: a suggestion for the site lead, never applied."""
        if self.result is None:
            return None
        index = spc.suggest_rebase(self.result)
        return None if index is None else self.points[index].period


def plotted(measure: Measure, numerator, denominator, value) -> float | None:
    """The number a chart plots: a percentage for proportions (None when n is 0 or missing)."""
    if measure.data_kind == DataKind.PROPORTION:
        if numerator is None or not denominator:
            return None
        return 100 * numerator / denominator
    return value


def build_points(measure: Measure, rows: Iterable) -> list[Point]:
    """The regular period grid from the first to the last period with data, gaps as missing.

    `rows` are MeasureValue objects or rows with the same attribute names.
    """
    by_period = {r.period_start: r for r in rows}
    if not by_period:
        return []
    grid = periods.periods_between(min(by_period), max(by_period), measure.frequency)
    out = []
    for start in grid:
        r = by_period.get(start)
        if r is None:
            out.append(Point(start))
            continue
        out.append(Point(start, r.numerator, r.denominator,
                         plotted(measure, r.numerator, r.denominator, r.value), r.note or ""))
    return out


def chart_type_of(measure: Measure) -> ChartType:
    """The measure's SPC chart type, or the default (XmR, the NHS Making Data Count chart)."""
    allowed = CHART_TYPES[measure.data_kind]
    try:
        chosen = ChartType(measure.chart_type or "")
    except ValueError:
        return allowed[0]
    return chosen if chosen in allowed else allowed[0]


def default_view(measure: Measure) -> str:
    return "run" if chart_type_of(measure) is ChartType.RUN else "spc"


def chart_choices(measure: Measure) -> tuple[ChartType, ...]:
    """The chart types that suit the measure's data, offered on its page."""
    return CHART_TYPES[measure.data_kind]


def chosen_chart(measure: Measure, asked: str | None) -> ChartType | None:
    """The chart type asked for on the page, if it suits the measure's data (else None)."""
    try:
        chart = ChartType(asked or "")
    except ValueError:
        return None
    return chart if chart in chart_choices(measure) else None


def chart_for_view(measure: Measure, view: str,
                   chart_type: ChartType | None = None) -> tuple[ChartType, RuleSet]:
    """The chart and rule set for the run-chart or SPC view of a measure; `chart_type` (one
    that suits the data, see `chosen_chart`) overrides both."""
    own = chart_type_of(measure)
    if chart_type is not None:
        chart = chart_type
    elif view == "run":
        chart = ChartType.RUN
    else:
        chart = ChartType.XMR if own is ChartType.RUN else own
    allowed = RULE_SETS[chart]
    try:
        rules = RuleSet(measure.rule_set or "")
    except ValueError:
        rules = allowed[0]
    return chart, rules if rules in allowed else allowed[0]


def phase_indices(points: Sequence[Point], break_dates: Iterable[date]) -> tuple[int, ...]:
    """Grid indices where phases start; breaks outside the grid or at its start are ignored."""
    index = {p.period: i for i, p in enumerate(points)}
    return tuple(sorted({index[d] for d in break_dates if index.get(d)}))


def flag_indices(points: Sequence[Point], flags: Iterable) -> tuple[tuple[int, ...],
                                                                     tuple[int, ...]]:
    """(excluded, astronomical) grid indices from PointFlag rows (or rows with `kind` and
    `period_start`); flags on periods outside the grid are ignored."""
    index = {p.period: i for i, p in enumerate(points)}
    out: dict[str, set[int]] = {EXCLUDED: set(), ASTRONOMICAL: set()}
    for f in flags:
        i = index.get(f.period_start)
        if i is not None and f.kind in out:
            out[f.kind].add(i)
    return tuple(sorted(out[EXCLUDED])), tuple(sorted(out[ASTRONOMICAL]))


def build_chart(
    measure: Measure, points: Sequence[Point], break_dates: Iterable[date], view: str,
    *, chart_type: ChartType | None = None, flags: Iterable = (),
) -> Chart:
    """Compute the spc result of one series for the given view ("spc" or "run"), or for the
    `chart_type` asked for. `flags` (PointFlag rows) exclude points from the centre, limits
    and runs (still plotted and tested, SPEC.md §7) or mark them astronomical, which only the
    IHI run chart rules read (SPEC.md §2.4 rule 4); other charts show the flag but ignore it."""
    chart, rules = chart_for_view(measure, view, chart_type)
    starts = phase_indices(points, break_dates)
    excluded, astronomical = flag_indices(points, flags)
    ihi = chart is ChartType.RUN and rules is RuleSet.IHI
    # One set of options for every chart; each chart reads the settings it uses.
    options = spc.Options(rules=rules, phase_starts=starts, baseline=measure.baseline_periods,
                          direction=measure.direction, target=measure.target,
                          exclude=excluded, astronomical=astronomical if ihi else (),
                          screen_outliers=measure.screen_outliers if rules is RuleSet.MDC else None)
    try:
        if chart in RATE_CHARTS:  # proportions from their counts, plotted as percentages
            nums = [None if p.missing else p.numerator for p in points]
            dens = [None if p.missing else p.denominator for p in points]
            result = RATE_CHARTS[chart](nums, dens, options, multiplier=100)
        else:
            result = VALUE_CHARTS[chart]([p.value for p in points], options)
    except ValueError as error:  # e.g. a baseline longer rule sets refuse
        return Chart(measure, view, chart, rules, tuple(points), None, starts, str(error),
                     excluded, astronomical)
    return Chart(measure, view, chart, rules, tuple(points), result, starts, "", excluded,
                 astronomical)
