"""Reporting periods with thresholds (e.g. a CQUIN quarter): each site met / not met / data
missing, and the gap to a figure submitted elsewhere. Plain functions; no Flask.

The rules, precisely:

* A reporting period's **periods** are the measure's periods (weeks or months) whose start
  date falls between the reporting period's first and last day, both included.
* A period is **reported** when it has a chartable value: for a proportion, a numerator and a
  denominator above 0.
* With fewer reported periods than the reporting period's minimum (`min_periods`) the site's
  result is **data missing**, whatever its figure.
* Otherwise the site's figure is the **pooled percentage** over the reported periods,
  100 × Σ numerators / Σ denominators (not the mean of weekly percentages), and the site has
  **met** the threshold when the figure is at least the threshold, else **not met**.
* A figure submitted elsewhere is compared as submitted − own figure, in percentage points.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..models import Measure
from . import periods
from .series import plotted

MET, NOT_MET, MISSING = "met", "not met", "data missing"


@dataclass(frozen=True)
class SiteQuarter:
    """One site's result for one reporting period."""

    expected: int  # the reporting period's periods
    reported: int  # of them, with data
    numerator: int
    denominator: int
    status: str  # MET, NOT_MET or MISSING
    submitted: float | None = None  # the figure submitted elsewhere, if entered

    @property
    def percent(self) -> float | None:
        """The pooled percentage over the reported periods (None without any)."""
        return 100 * self.numerator / self.denominator if self.denominator else None

    @property
    def gap(self) -> float | None:
        """Submitted − own figure, in percentage points (None unless both exist)."""
        if self.submitted is None or self.percent is None:
            return None
        return self.submitted - self.percent


def periods_in(measure: Measure, starts_on: date, ends_on: date) -> list[date]:
    """The measure's periods whose start falls within [starts_on, ends_on]."""
    freq = measure.frequency
    first = periods.period_start(starts_on, freq)
    if first < starts_on:
        first = periods.next_period(first, freq)
    if first > ends_on:
        return []
    return [p for p in periods.periods_between(first, ends_on, freq) if p <= ends_on]


def site_quarter(measure: Measure, starts_on: date, ends_on: date, threshold: float,
                 min_periods: int, rows: Iterable, submitted: float | None = None
                 ) -> SiteQuarter:
    """One site's result from its value rows of the measure (any periods: those outside the
    reporting period are ignored)."""
    wanted = set(periods_in(measure, starts_on, ends_on))
    num = den = reported = 0
    for r in rows:
        if r.period_start not in wanted:
            continue
        if plotted(measure, r.numerator, r.denominator, r.value) is None:
            continue
        reported += 1
        num += r.numerator or 0
        den += r.denominator or 0
    if reported < min_periods:
        status = MISSING
    else:
        status = MET if den and 100 * num / den >= threshold else NOT_MET
    return SiteQuarter(len(wanted), reported, num, den, status, submitted)
