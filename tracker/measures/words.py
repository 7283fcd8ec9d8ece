"""A chart in words: the signal summary, data-quality notes and the data table.

The text alternative of every chart (screen readers, print, people who prefer words).
"""

import re
from dataclasses import dataclass
from datetime import date

from .. import spc
from ..models import DataKind, Frequency, Measure
from ..spc import ChartType, Label, PointType, RuleSet
from . import periods
from .chart_svg.axes import non_negative
from .series import Chart

POINT_TYPE_WORDS = {
    PointType.IMPROVEMENT: "special cause improvement",
    PointType.CONCERN: "special cause concern",
    PointType.NEUTRAL_HIGH: "special cause variation (neither better nor worse)",
    PointType.NEUTRAL_LOW: "special cause variation (neither better nor worse)",
}
VARIATION_WORDS = {
    spc.VariationIcon.COMMON_CAUSE: "Common cause variation: no significant change",
    spc.VariationIcon.IMPROVEMENT_HIGH: "Special cause improvement: higher values",
    spc.VariationIcon.IMPROVEMENT_LOW: "Special cause improvement: lower values",
    spc.VariationIcon.CONCERN_HIGH: "Special cause concern: higher values",
    spc.VariationIcon.CONCERN_LOW: "Special cause concern: lower values",
    spc.VariationIcon.NEUTRAL_HIGH: "Special cause variation: higher values",
    spc.VariationIcon.NEUTRAL_LOW: "Special cause variation: lower values",
}
ASSURANCE_WORDS = {
    spc.AssuranceIcon.CONSISTENT_PASS: "Target consistently met",
    spc.AssuranceIcon.CONSISTENT_FAIL: "Target consistently missed: it lies outside the "
    "limits, so the process will not meet it without change",
    spc.AssuranceIcon.INCONSISTENT: "Hit and miss: the target lies within the limits",
}


def format_value(measure: Measure, value: float | None) -> str:
    """A value as people read it: '72.5%', '3 falls', '1 fall', '12.5 minutes'."""
    if value is None:
        return ""
    if measure.data_kind == DataKind.PROPORTION:
        return f"{value:.1f}%".replace(".0%", "%")
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if measure.unit in ("", "%"):
        return text
    unit = singular(measure.unit) if text in ("1", "-1") else measure.unit
    return f"{text} {unit}"


def singular(unit: str) -> str:
    """The unit for one of it: its first word made singular ('falls' → 'fall', 'days in
    hospital' → 'day in hospital', 'breaths/min' → 'breath/min'). Units are written in the
    plural ("For example %, falls, minutes"); a few rules cover the words used for them."""
    word, rest = re.match(r"([^\s/]*)(.*)", unit, re.S).groups()
    lower = word.lower()
    if len(word) > 3 and lower.endswith("ies"):
        word = word[:-3] + "y"
    elif lower.endswith(("ches", "shes", "xes")):
        word = word[:-2]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(word) > 2:
        word = word[:-1]
    return word + rest


def _centre_word(chart: ChartType) -> str:
    return {ChartType.RUN: "median", ChartType.XMR: "mean"}.get(chart, "centre line")


def _phrase(label: Label, count: int, unit: str, centre: str) -> str:
    """What a run of `count` flagged periods shows, e.g. '7 weeks above the mean'."""
    several = f"{count} {unit}"
    return {
        Label.ABOVE_UCL: f"{several} above the upper limit",
        Label.BELOW_LCL: f"{several} below the lower limit",
        Label.TREND_INCREASING: f"{several} rising in a row",
        Label.TREND_DECREASING: f"{several} falling in a row",
        Label.RUN_TREND_INCREASING: f"{several} rising in a row",
        Label.RUN_TREND_DECREASING: f"{several} falling in a row",
        Label.TWO_IN_THREE_ABOVE: f"{several} close to the upper limit (2 of 3 rule)",
        Label.TWO_IN_THREE_BELOW: f"{several} close to the lower limit (2 of 3 rule)",
        Label.SHIFT_ABOVE: f"{several} above the {centre}",
        Label.SHIFT_BELOW: f"{several} below the {centre}",
        Label.RUN_SHIFT_ABOVE: f"{several} above the {centre}",
        Label.RUN_SHIFT_BELOW: f"{several} below the {centre}",
    }.get(label, f"{several}: {label.value.lower()}")


def signal_groups(chart: Chart) -> list[tuple[Label, int, int, PointType | None, dict]]:
    """Runs of consecutive flagged periods of one point type (one signal event):
    (main label, first index, count, point type, {other label: count}).

    Missing periods do not break a run (the rules skip them); a common-cause period or a
    new phase does. The main label is the one most of the run carries.
    """
    result = chart.result
    if result is None:
        return []
    runs: list[dict] = []
    current = None
    for i, label in enumerate(result.labels):
        if label is Label.MISSING:
            continue
        key = (result.point_types[i], result.phase_index[i])
        if not result.special_cause[i]:
            current = None
        elif current is not None and current["key"] == key:
            current["labels"].append(label)
        else:
            current = {"key": key, "first": i, "labels": [label]}
            runs.append(current)
    out = []
    for run in runs:
        counts: dict[Label, int] = {}
        for label in run["labels"]:
            counts[label] = counts.get(label, 0) + 1
        main = max(counts, key=lambda lab: counts[lab])  # ties: the first seen
        others = {lab: n for lab, n in counts.items() if lab is not main}
        out.append((main, run["first"], len(run["labels"]), run["key"][0], others))
    return out


def summary(chart: Chart) -> list[str]:
    """Plain-language sentences about the signals, newest last, for people and screen readers.

    E.g. "7 weeks above the mean since 3 Mar 2026: special cause improvement".
    """
    m, result = chart.measure, chart.result
    if chart.error:
        return [f"This chart cannot be drawn: {chart.error}"]
    if result is None or chart.latest is None:
        return ["No data yet."]
    freq: Frequency = m.frequency
    centre = _centre_word(chart.chart)
    out = []
    for label, first, count, point_type, others in signal_groups(chart):
        when = periods.label(chart.points[first].period, freq)
        words = _phrase(label, count, periods.unit(freq, count), centre)
        if count == 1:
            words = words.replace(f"1 {periods.unit(freq)} ", "", 1)
            sentence = f"{when}: {words}"
        else:
            sentence = f"{words} since {when}"
        if others:
            also = "; ".join(_phrase(lab, n, periods.unit(freq, n), centre)
                             for lab, n in others.items())
            sentence += f" (of which {also})" if count > 1 else ""
        out.append(f"{sentence}: {POINT_TYPE_WORDS.get(point_type, 'special cause variation')}.")
    for number, phase in enumerate(result.phases, 1):
        runs = phase.runs
        prefix = f"Phase {number}: " if len(result.phases) > 1 else ""
        if chart.rules is RuleSet.MDC:
            continue  # MDC signals come from its point rules; runs analysis is not one of them
        if runs.rules is RuleSet.ANHOEJ and runs.verdict_shown and runs.signal:
            out.append(
                f"{prefix}runs analysis shows non-random variation (longest run {runs.longest_run}"
                f", limit {runs.longest_run_max}; {runs.crossings} crossings of the {centre}, "
                f"at least {runs.crossings_min} expected)."
            )
        elif runs.rules is RuleSet.IHI and runs.runs_min is not None:
            if runs.runs < runs.runs_min:
                out.append(f"{prefix}too few runs ({runs.runs}; at least {runs.runs_min} "
                           "expected): a non-random pattern.")
            elif runs.runs > runs.runs_max:
                out.append(f"{prefix}too many runs ({runs.runs}; at most {runs.runs_max} "
                           "expected): a non-random pattern.")
    if not out:
        out.append("No signals: only common cause variation.")
    latest = chart.latest
    shown = format_value(m, latest.value)
    if m.data_kind == DataKind.PROPORTION:
        shown += f" ({latest.numerator} of {latest.denominator})"
    out.append(f"Latest {periods.unit(freq)} ({periods.label(latest.period, freq)}): {shown}.")
    return out


def notes(chart: Chart) -> list[str]:
    """Data-quality notes: missing periods by date, trial limits, insufficient data."""
    if chart.result is None:
        return []
    freq = chart.measure.frequency
    gaps = [p.period for p in chart.points if p.missing]
    out = []
    if gaps:
        shown = ", ".join(periods.label(d, freq) for d in gaps[:8])
        more = f" and {len(gaps) - 8} more" if len(gaps) > 8 else ""
        out.append(f"{len(gaps)} {periods.unit(freq, len(gaps))} without data ({shown}{more}): "
                   "shown as gaps; no moving range spans a gap and the run rules skip them.")
    # spc's own gap note counts points; the sentence above names the periods instead.
    out += [n for n in chart.result.notes if "missing period" not in n]
    return out + _drawn_limits(chart)


def _drawn_limits(chart: Chart) -> list[str]:
    """Why the chart shows a limit at 0 (or 100%) while the table has the computed one."""
    m, r, out = chart.measure, chart.result, []
    lows = [v for v in r.lower if v is not None and v < 0]
    if lows and non_negative([chart]):
        out.append(f"The lower limit works out below 0 ({format_value(m, min(lows))}), where "
                   f"{m.name} cannot go: the chart draws it at 0; the data table and the chart "
                   "data (CSV) keep the computed value.")
    highs = [v for v in r.upper if v is not None and v > 100]
    if highs and m.is_proportion:
        out.append(f"The upper limit works out above 100% ({format_value(m, max(highs))}): "
                   "the chart draws it at 100%; the data table and the chart data (CSV) keep "
                   "the computed value.")
    return out


@dataclass(frozen=True)
class Row:
    """One line of the data-and-signals table (the chart's text alternative)."""

    period: date
    label: str
    numerator: int | None
    denominator: int | None
    value: str
    centre: str
    limits: str
    signal: str
    special: bool
    note: str


def table_rows(chart: Chart) -> list[Row]:
    """Every period of the chart in words, newest first: values, lines and signal."""
    m, r, out = chart.measure, chart.result, []
    for i, p in enumerate(chart.points):
        centre = limits = signal = ""
        special = False
        if r is not None:
            centre = format_value(m, r.centre[i])
            if r.lower[i] is not None and r.upper[i] is not None:
                limits = f"{format_value(m, r.lower[i])} to {format_value(m, r.upper[i])}"
            label = r.labels[i]
            special = r.special_cause[i]
            if special:
                signal = f"{label.value}: {POINT_TYPE_WORDS.get(r.point_types[i], '')}"
            elif label is Label.COMMON_CAUSE:
                signal = "Common cause"
        out.append(Row(p.period, periods.label(p.period, m.frequency), p.numerator,
                       p.denominator, format_value(m, p.value), centre, limits,
                       signal.rstrip(": "), special, p.note))
    return out[::-1]
