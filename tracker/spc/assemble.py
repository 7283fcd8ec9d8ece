"""From a series and its lines per phase to a full `SpcResult`: labels, runs, icons, notes."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .constants import RUNS_MIN_USEFUL, TRIAL_MAX_POINTS
from .icons import assurance_icon, point_type, variation_icon
from .inputs import Num, Phase, indices, split_phases
from .limits import COLUMNS, Lines
from .mdc import apply_mdc
from .options import Options
from .results import PhaseResult, RunsAnalysis, SpcResult
from .runs import anhoej_shift_starts, apply_ihi, runs_analysis, sign
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

LinesFn = Callable[[Phase, set[int]], Lines]


@dataclass(frozen=True)
class _Worked:
    """One phase's lines, labels, runs analysis and the starts of sustained shifts."""

    phase: Phase
    lines: Lines
    labels: list[Label]
    runs: RunsAnalysis
    shifts: tuple[int, ...]


def build(
    chart: ChartType,
    rules: RuleSet,
    y: list[Num],
    lines_fn: LinesFn,
    options: Options,
    *,
    missing: Sequence[int] | None = None,
    runs_signal: bool = True,
    notes: Sequence[str] = (),
) -> SpcResult:
    """Compute lines, labels, runs analysis, icons and notes for every phase of `y`."""
    m, direction = options.multiplier, options.direction
    work, excluded = _work_phases(rules, y, lines_fn, options, runs_signal)
    labels = [lab for w in work for lab in w.labels]
    types = [point_type(lab, direction) for lab in labels]
    phases = tuple(_summary(w, y, types, m) for w in work)
    cols = {key: _scaled([v for w in work for v in getattr(w.lines, key)], m) for key in COLUMNS}
    phase_notes = [s for w, p in zip(work, phases, strict=True) for s in _notes(w, p, runs_signal)]
    return SpcResult(
        chart=chart, rules=rules, direction=direction, target=options.target,
        values=_scaled(y, m), centre=cols["centre"], upper=cols["upper"], lower=cols["lower"],
        upper_2sigma=cols["upper2"], lower_2sigma=cols["lower2"],
        labels=tuple(labels), point_types=tuple(types),
        special_cause=tuple(lab not in (Label.COMMON_CAUSE, Label.MISSING) for lab in labels),
        excluded=tuple(i in excluded for i in range(len(y))),
        phase_index=tuple(w.phase.number - 1 for w in work for _ in range(w.phase.size)),
        phases=phases, variation_icon=_variation(types, direction),
        assurance_icon=_assurance(phases, cols, options),
        notes=(*notes, *_series_notes(y, missing), *phase_notes),
    )  # fmt: skip


def _work_phases(
    rules: RuleSet, y: list[Num], lines_fn: LinesFn, options: Options, runs_signal: bool
) -> tuple[list[_Worked], set[int]]:
    """Every phase worked through, and the excluded indices."""
    n = len(y)
    excluded = indices(options.exclude, n, "exclude")
    astro = indices(options.astronomical, n, "astronomical")
    if astro and rules is not RuleSet.IHI:
        raise ValueError("astronomical points are an IHI run chart rule (rules='ihi')")
    work = [
        _work_phase(ph, y, lines_fn(ph, excluded), excluded, astro, rules, runs_signal)
        for ph in split_phases(n, options.phase_starts, options.baseline, rules)
    ]
    return work, excluded


def _scaled(col: list[Num], multiplier: float) -> tuple[Num, ...]:
    return tuple(None if v is None else v * multiplier for v in col)


def _work_phase(
    ph: Phase,
    y: list[Num],
    lines: Lines,
    excluded: set[int],
    astro: set[int],
    rules: RuleSet,
    runs_signal: bool,
) -> _Worked:
    """Apply the limits and the rule set's sequence rules to one phase."""
    labels = _limit_labels(ph, y, lines)
    cl = lines.centre[0] if lines.centre else None
    pts, useful = _usable(ph, y, excluded, cl)
    trend, shifts = False, ()
    if cl is None:
        pass  # no centre line: no sequence rules
    elif rules is RuleSet.MDC:
        shifts = apply_mdc(labels, pts, [lines.row(i - ph.start) for i, _ in pts], cl)
    elif rules is RuleSet.IHI:
        trend, shifts = apply_ihi(labels, y, pts, useful, astro, cl)
    runs_rules = RuleSet.IHI if rules is RuleSet.IHI else RuleSet.ANHOEJ
    runs = runs_analysis([s for _, s in useful], runs_rules, trend=trend)
    if not runs_signal:  # MR chart: counts reported, signal forced off (SPEC.md §3.3)
        runs = replace(runs, signal=False)
    elif rules is RuleSet.ANHOEJ:
        shifts = anhoej_shift_starts(useful, runs)
    return _Worked(ph, lines, [labels[i] for i in range(ph.start, ph.stop)], runs, shifts)


def _usable(
    ph: Phase, y: list[Num], excluded: set[int], cl: float | None
) -> tuple[list[tuple[int, float]], list[tuple[int, int]]]:
    """The (index, value) pairs sequence rules see, and the (index, sign) pairs off the centre.

    Missing and excluded points are dropped, so the points either side become adjacent
    (SPEC.md §1.2); points exactly on the centre line are skipped by runs analysis (§2.2).
    """
    idx = range(ph.start, ph.stop)
    pts = [(i, v) for i in idx if (v := y[i]) is not None and i not in excluded]
    useful = [] if cl is None else [(i, s) for i, v in pts if (s := sign(v - cl))]
    return pts, useful


def _limit_labels(ph: Phase, y: list[Num], lines: Lines) -> dict[int, Label]:
    """Every plotted point, excluded ones too, tested against the limits (strictly)."""
    labels = {}
    for j, i in enumerate(range(ph.start, ph.stop)):
        v, upper, lower = y[i], lines.upper[j], lines.lower[j]
        if v is None:
            labels[i] = Label.MISSING
        elif upper is not None and v > upper:
            labels[i] = Label.ABOVE_UCL
        elif upper is not None and v < lower:
            labels[i] = Label.BELOW_LCL
        else:
            labels[i] = Label.COMMON_CAUSE
    return labels


def _summary(
    w: _Worked, y: list[Num], types: list[PointType | None], multiplier: float
) -> PhaseResult:
    ph, lines = w.phase, w.lines
    n_points = sum(y[i] is not None for i in range(ph.start, ph.stop))
    trial = lines.status is LimitStatus.OK and n_points <= TRIAL_MAX_POINTS
    last = next(
        (types[i] for i in reversed(range(ph.start, ph.stop)) if types[i] is not None), None
    )
    centre = lines.centre[0] if lines.centre else None
    return PhaseResult(
        ph.start, ph.stop, ph.base_stop, n_points, lines.n_base,
        None if centre is None else centre * multiplier,
        lines.status, trial, w.runs, w.shifts, last,
    )  # fmt: skip


def _variation(types: list[PointType | None], direction: Direction) -> VariationIcon | None:
    """The variation icon of the latest non-missing point (SPEC.md §6.1)."""
    last = next((t for t in reversed(types) if t is not None), None)
    return None if last is None else variation_icon(last, direction)


def _assurance(
    phases: tuple[PhaseResult, ...], cols: dict[str, tuple[Num, ...]], options: Options
) -> AssuranceIcon | None:
    """The assurance icon from the last row of the last phase that has limits (SPEC.md §6.2)."""
    if not phases:
        return None
    last, upper, lower = phases[-1], cols["upper"], cols["lower"]
    row = next((i for i in reversed(range(last.start, last.stop)) if upper[i] is not None), None)
    if row is None:
        return None
    return assurance_icon(lower[row], upper[row], options.target, options.direction)


def _series_notes(y: list[Num], missing: Sequence[int] | None) -> list[str]:
    """Notes about the whole series: its gaps, or that it is empty."""
    out = []
    missing = [i for i, v in enumerate(y) if v is None] if missing is None else list(missing)
    if missing:
        shown = ", ".join(str(i + 1) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
        out.append(
            f"{len(missing)} missing period(s) (point(s) {shown}): no moving range "
            "spans a gap, and runs and sequence rules skip missing points."
        )
    if not y:
        out.append("No data: insufficient data for a chart.")
    return out


def _notes(w: _Worked, summary: PhaseResult, runs_signal: bool) -> list[str]:
    """Human-readable notes for one phase (positions 1-based for people)."""
    name, out = w.phase.name, list(w.lines.notes)
    if w.lines.status is LimitStatus.INSUFFICIENT_DATA:
        out.append(f"{name}: insufficient data for a centre line or limits.")
    elif w.lines.status is LimitStatus.INSUFFICIENT_VARIATION:
        out.append(
            f"{name}: insufficient variation for limits (no variation between "
            "consecutive points), so no point is tested against limits."
        )
    if summary.trial_limits:
        out.append(
            f"{name}: trial limits (only {summary.n_points} points; limits are provisional "
            f"until there are more than {TRIAL_MAX_POINTS})."
        )
    if runs_signal and not w.runs.verdict_shown and summary.n_points:
        out.append(
            f"{name}: insufficient data for runs analysis ({w.runs.n_useful} useful "
            f"observations; {RUNS_MIN_USEFUL} needed)."
        )
    return out
