"""What a chart returns: frozen per-point columns and per-phase summaries."""

from dataclasses import dataclass

from .vocab import (
    AssuranceIcon,
    ChartType,
    Direction,
    Label,
    LimitStatus,
    PointType,
    RuleSet,
    VariationIcon,
)


@dataclass(frozen=True)
class RunsAnalysis:
    """Runs analysis of one phase around its centre line (SPEC.md §2.2–§2.4)."""

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


def suggest_rebase(result: SpcResult) -> int | None:
    """Index where a sustained shift starts in the last phase (after its first point), or None.

    Only a suggestion: rebasing is a human decision (SPEC.md §7). Uses the chart's shift rule:
    MDC 7 points on one side of the mean, IHI 6 points off the median, Anhøj longest run.
    """
    if not result.phases:
        return None
    last = result.phases[-1]
    return next((s for s in last.shift_starts if s > last.start), None)
