"""A chart's signals as events, told twice: in plain words for the summary a ward team reads,
and in the rules' own words (labels, counts, limits) for the technical detail beside it.

An event is a run of consecutive flagged periods of one kind; runs analysis is a verdict on a
whole phase. The latest point's verdict (the Making Data Count variation icon) is about that
point only, so the summary says "latest week" for it and "the whole chart" for the events.
"""

from dataclasses import dataclass

from .. import spc
from ..spc import ChartType, Label, PointType, RuleSet
from . import periods
from .series import Chart

# The rules' words, for the technical detail.
POINT_TYPE_WORDS = {
    PointType.IMPROVEMENT: "special cause improvement",
    PointType.CONCERN: "special cause concern",
    PointType.NEUTRAL_HIGH: "special cause variation (neither better nor worse)",
    PointType.NEUTRAL_LOW: "special cause variation (neither better nor worse)",
}
ICON_WORDS = {
    spc.VariationIcon.COMMON_CAUSE: "common cause variation: no significant change",
    spc.VariationIcon.IMPROVEMENT_HIGH: "special cause improvement: higher values",
    spc.VariationIcon.IMPROVEMENT_LOW: "special cause improvement: lower values",
    spc.VariationIcon.CONCERN_HIGH: "special cause concern: higher values",
    spc.VariationIcon.CONCERN_LOW: "special cause concern: lower values",
    spc.VariationIcon.NEUTRAL_HIGH: "special cause variation: higher values",
    spc.VariationIcon.NEUTRAL_LOW: "special cause variation: lower values",
}
ASSURANCE_ICON_WORDS = {
    spc.AssuranceIcon.CONSISTENT_PASS: "the target is consistently met (it lies beyond the "
                                       "limits, on the good side)",
    spc.AssuranceIcon.CONSISTENT_FAIL: "the target is consistently missed (it lies beyond the "
                                       "limits, on the wrong side)",
    spc.AssuranceIcon.INCONSISTENT: "hit and miss (the target lies within the limits)",
}
# Plain words: the latest point (badges, reports) and the target.
LATEST_WORDS = {
    spc.VariationIcon.COMMON_CAUSE: "no sign of change",
    spc.VariationIcon.IMPROVEMENT_HIGH: "a sign of improvement (higher than usual)",
    spc.VariationIcon.IMPROVEMENT_LOW: "a sign of improvement (lower than usual)",
    spc.VariationIcon.CONCERN_HIGH: "a sign of concern (higher than usual)",
    spc.VariationIcon.CONCERN_LOW: "a sign of concern (lower than usual)",
    spc.VariationIcon.NEUTRAL_HIGH: "unusually high (neither better nor worse)",
    spc.VariationIcon.NEUTRAL_LOW: "unusually low (neither better nor worse)",
}
TARGET_WORDS = {
    spc.AssuranceIcon.CONSISTENT_PASS: "met every time as things stand",
    spc.AssuranceIcon.CONSISTENT_FAIL: "not met without a change",
    spc.AssuranceIcon.INCONSISTENT: "hit and miss",
}
TARGET_WHY = {
    spc.AssuranceIcon.CONSISTENT_PASS: "it lies beyond the usual ups and downs, on the good "
                                       "side.",
    spc.AssuranceIcon.CONSISTENT_FAIL: "it lies beyond the usual ups and downs, on the wrong "
                                       "side, so the process as it is will not reach it.",
    spc.AssuranceIcon.INCONSISTENT: "it lies within the usual ups and downs, so some weeks "
                                    "will meet it and some will not.",
}
KIND = {
    PointType.IMPROVEMENT: "better than usual",
    PointType.CONCERN: "worse than usual",
    PointType.NEUTRAL_HIGH: "neither better nor worse",
    PointType.NEUTRAL_LOW: "neither better nor worse",
}
LATEST_KIND = {
    PointType.IMPROVEMENT: "A sign of improvement",
    PointType.CONCERN: "A sign of concern",
    PointType.NEUTRAL_HIGH: "Unusual, though neither better nor worse",
    PointType.NEUTRAL_LOW: "Unusual, though neither better nor worse",
}


@dataclass(frozen=True)
class Event:
    """A run of consecutive flagged periods of one point type: one signal."""

    label: Label  # the label most of the run carries
    first: int
    last: int
    count: int
    point_type: PointType | None
    others: dict[Label, int]  # the run's other labels and how many carry each


def events(chart: Chart) -> list[Event]:
    """The chart's signals, oldest first. Missing periods do not break a run (the rules skip
    them); a common-cause period or a new phase does."""
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
            current["last"] = i
        else:
            current = {"key": key, "first": i, "last": i, "labels": [label]}
            runs.append(current)
    out = []
    for run in runs:
        counts: dict[Label, int] = {}
        for label in run["labels"]:
            counts[label] = counts.get(label, 0) + 1
        main = max(counts, key=lambda lab: counts[lab])  # ties: the first seen
        out.append(Event(main, run["first"], run["last"], len(run["labels"]), run["key"][0],
                         {lab: n for lab, n in counts.items() if lab is not main}))
    return out


def centre_word(chart: ChartType, *, plain: bool = False) -> str:
    if chart is ChartType.XMR:
        return "average" if plain else "mean"
    return "median" if chart is ChartType.RUN else "centre line"


def _rule_phrase(label: Label, several: str, centre: str) -> str:
    """What a run of flagged periods shows, in the rules' terms: '7 weeks above the mean'."""
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


def technical(event: Event, chart: Chart) -> str:
    """E.g. '7 weeks above the mean since 3 Mar 2026: special cause improvement (7 Points
    Above CL).'"""
    freq, centre = chart.measure.frequency, centre_word(chart.chart)
    when = periods.label(chart.points[event.first].period, freq)
    words = _rule_phrase(event.label, f"{event.count} {periods.unit(freq, event.count)}", centre)
    if event.count == 1:
        sentence = f"{when}: {words.replace(f'1 {periods.unit(freq)} ', '', 1)}"
    else:
        sentence = f"{words} since {when}"
        if event.others:
            sentence += " (of which " + "; ".join(
                _rule_phrase(lab, f"{n} {periods.unit(freq, n)}", centre)
                for lab, n in event.others.items()) + ")"
    kind = POINT_TYPE_WORDS.get(event.point_type, "special cause variation")
    return f"{sentence}: {kind} ({event.label.value})."


PLAIN = {
    Label.ABOVE_UCL: "far above the usual range",
    Label.BELOW_LCL: "far below the usual range",
    Label.TREND_INCREASING: "rising in a row",
    Label.TREND_DECREASING: "falling in a row",
    Label.RUN_TREND_INCREASING: "rising in a row",
    Label.RUN_TREND_DECREASING: "falling in a row",
    Label.TWO_IN_THREE_ABOVE: "close to the top of the usual range",
    Label.TWO_IN_THREE_BELOW: "close to the bottom of the usual range",
    Label.SHIFT_ABOVE: "in a row above the {centre}",
    Label.SHIFT_BELOW: "in a row below the {centre}",
    Label.RUN_SHIFT_ABOVE: "in a row above the {centre}",
    Label.RUN_SHIFT_BELOW: "in a row below the {centre}",
    Label.ASTRONOMICAL_ABOVE: "exceptionally high",
    Label.ASTRONOMICAL_BELOW: "exceptionally low",
    Label.ASTRONOMICAL: "exceptional",
}


def described(event: Event, chart: Chart) -> str:
    """What the event's periods did, e.g. 'far above the usual range'."""
    return PLAIN.get(event.label, "unusual").format(centre=centre_word(chart.chart, plain=True))


def plain(event: Event, chart: Chart) -> str:
    """E.g. '17 weeks in a row above the average, from 5 Jan 2026 to 27 Apr 2026'."""
    freq = chart.measure.frequency
    first = periods.label(chart.points[event.first].period, freq)
    last = periods.label(chart.points[event.last].period, freq)
    did = described(event, chart)
    if event.count == 1:
        return f"the {periods.unit(freq)} of {first}, {did}"
    return f"{event.count} {periods.unit(freq, event.count)} {did}, from {first} to {last}"


def runs_technical(chart: Chart) -> list[str]:
    """The runs-analysis verdicts with their numbers (not for MDC: not one of its rules)."""
    result, out = chart.result, []
    if result is None or chart.rules is RuleSet.MDC:
        return out
    centre = centre_word(chart.chart)
    for number, phase in enumerate(result.phases, 1):
        runs = phase.runs
        prefix = f"Phase {number}: " if len(result.phases) > 1 else ""
        if runs.rules is RuleSet.ANHOEJ and runs.verdict_shown and runs.signal:
            out.append(f"{prefix}runs analysis shows non-random variation (longest run "
                       f"{runs.longest_run}, limit {runs.longest_run_max}; {runs.crossings} "
                       f"crossings of the {centre}, at least {runs.crossings_min} expected).")
        elif runs.rules is RuleSet.IHI and runs.runs_min is not None:
            if runs.runs < runs.runs_min:
                out.append(f"{prefix}too few runs ({runs.runs}; at least {runs.runs_min} "
                           "expected): a non-random pattern.")
            elif runs.runs > runs.runs_max:
                out.append(f"{prefix}too many runs ({runs.runs}; at most {runs.runs_max} "
                           "expected): a non-random pattern.")
    return out


def runs_plain(chart: Chart) -> list[str]:
    """The same verdicts in plain words."""
    result, out = chart.result, []
    if result is None or chart.rules is RuleSet.MDC:
        return out
    centre = centre_word(chart.chart, plain=True)
    for number, phase in enumerate(result.phases, 1):
        runs = phase.runs
        prefix = f"in phase {number}, " if len(result.phases) > 1 else ""
        if runs.rules is RuleSet.ANHOEJ and runs.verdict_shown and runs.signal:
            out.append(f"{prefix}the points stay on one side of the {centre} for longer, or "
                       "cross it less often, than chance would give")
        elif runs.rules is RuleSet.IHI and runs.runs_min is not None:
            if runs.runs < runs.runs_min:
                out.append(f"{prefix}the points cross the {centre} less often than chance "
                           "would give, so they stay on one side for longer than usual ups "
                           "and downs explain")
            elif runs.runs > runs.runs_max:
                out.append(f"{prefix}the points zigzag across the {centre} more often than "
                           "chance would give, which often means two different processes are "
                           "mixed in the data")
    return out
