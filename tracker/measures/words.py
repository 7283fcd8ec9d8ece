"""A chart in words: the plain summary, the technical detail behind it, data-quality notes
and the data table.

The text alternative of every chart (screen readers, print, people who prefer words).
"""

import re
from dataclasses import dataclass
from datetime import date

from ..models import DataKind, Measure
from ..spc import Label
from . import periods, signals
from .chart_svg.axes import non_negative
from .series import CHART_NAMES, RULE_NAMES, Chart

# What the latest point shows (the variation icon) and whether the target will be met (the
# assurance icon), in plain words: for the badges and the reports.
VARIATION_WORDS = signals.LATEST_WORDS
ASSURANCE_WORDS = signals.TARGET_WORDS


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


def summary(chart: Chart) -> list[str]:
    """What the chart says, in plain words: the latest point, the whole series, the target.

    E.g. "Latest week (2 Mar 2026): 49% (49 of 100). No sign of change: within the usual ups
    and downs." then "Over the whole chart (36 weeks): a sign of real change, better than
    usual: 17 weeks in a row above the average, from 6 Apr 2026 to 27 Jul 2026."
    """
    if chart.error:
        return [f"This chart cannot be drawn: {chart.error}"]
    if chart.result is None or chart.latest is None:
        return ["No data yet."]
    out = [_latest(chart), _whole(chart)]
    icon, target = chart.result.assurance_icon, chart.measure.target
    if icon is not None and target is not None:
        out.append(f"Target {format_value(chart.measure, target)}: "
                   f"{signals.TARGET_WORDS[icon]}: {signals.TARGET_WHY[icon]}")
    return out


def _latest(chart: Chart) -> str:
    m, r, latest = chart.measure, chart.result, chart.latest
    freq = m.frequency
    shown = format_value(m, latest.value)
    if m.data_kind == DataKind.PROPORTION:
        shown += f" ({latest.numerator} of {latest.denominator})"
    said = f"Latest {periods.unit(freq)} ({periods.label(latest.period, freq)}): {shown}."
    index = chart.points.index(latest)
    kind = r.point_types[index]
    if r.variation_icon is None or kind is None:
        return f"{said} Too little data yet to judge it."
    if not r.special_cause[index]:
        return f"{said} No sign of change: within the usual ups and downs."
    event = next(e for e in signals.events(chart) if e.first <= index <= e.last)
    what = ("part of " + signals.plain(event, chart) if event.count > 1
            else signals.described(event, chart))
    return f"{said} {signals.LATEST_KIND.get(kind, 'Unusual')}: {what}."


def _whole(chart: Chart) -> str:
    freq, n = chart.measure.frequency, len(chart.points)
    head = f"Over the whole chart ({n} {periods.unit(freq, n)}): "
    found = [(signals.plain(e, chart), signals.KIND.get(e.point_type, "unusual"))
             for e in signals.events(chart)]
    runs = signals.runs_plain(chart)
    if len(found) + len(runs) == 1:
        if found:
            return f"{head}a sign of real change, {found[0][1]}: {found[0][0]}."
        return f"{head}a sign of real change: {runs[0]}."
    signs = [f"{what} ({kind})" for what, kind in found[-3:]] + runs
    if len(found) > 3:
        signs.append(f"and {len(found) - 3} earlier")
    if signs:
        return f"{head}{len(found) + len(runs)} signs of real change: {'; '.join(signs)}."
    if sum(1 for p in chart.points if not p.missing) < 10:
        return (f"{head}too few {periods.unit(freq, 2)} yet to tell a real change from the "
                "usual ups and downs.")
    return f"{head}only the usual ups and downs, no sign of real change."


def details(chart: Chart) -> list[str]:
    """The rules and numbers behind the summary, in the rules' own words (for data leads)."""
    r = chart.result
    if r is None:
        return []
    out = [f"{CHART_NAMES.get(chart.chart, chart.chart.value)} with the "
           f"{RULE_NAMES.get(chart.rules, chart.rules.value)}."]
    out += [signals.technical(e, chart) for e in signals.events(chart)]
    out += [s[0].upper() + s[1:] for s in signals.runs_technical(chart)]
    if len(out) == 1:
        out.append("No rule flagged a signal: only common cause variation.")
    if r.variation_icon is not None:
        out.append("Variation icon (the latest point): "
                   f"{signals.ICON_WORDS[r.variation_icon]}.")
    if r.assurance_icon is not None:
        out.append(f"Assurance icon: {signals.ASSURANCE_ICON_WORDS[r.assurance_icon]}.")
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
                signal = f"{label.value}: {signals.POINT_TYPE_WORDS.get(r.point_types[i], '')}"
            elif label is Label.COMMON_CAUSE:
                signal = "Common cause"
        out.append(Row(p.period, periods.label(p.period, m.frequency), p.numerator,
                       p.denominator, format_value(m, p.value), centre, limits,
                       signal.rstrip(": "), special, p.note))
    return out[::-1]
