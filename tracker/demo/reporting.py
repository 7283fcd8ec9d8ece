"""Where the data come from, CQUIN quarters (one met and one missed at the first site), notes
on its chart and an excluded week. Draws nothing from the RNG: the rows before it are
unchanged."""

from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..measures import quarters
from ..models import ChartNote, MeasureValue, PointFlag, ReportingPeriod, SubmittedFigure
from .context import Context

SOURCE = ("Ward audit sheet, checked against the theatre system's list of adults having major "
          "surgery")
COLLECTOR = "The ward's audit nurse or a DrEaMing champion"
METHOD = ("Every eligible patient reviewed at 24 hours after the end of surgery; the week's "
          "sheet entered on Mondays")


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(start: date) -> date:
    return date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def _name(start: date) -> str:
    """The CQUIN name of a financial quarter: April to June is Q1."""
    fy = start.year if start.month >= 4 else start.year - 1
    number = ((start.month - 4) % 12) // 3 + 1
    return f"CQUIN Q{number} {fy}/{(fy + 1) % 100:02d}"


def complete_quarters(first: date, last: date) -> list[tuple[date, date]]:
    """Calendar quarters lying wholly within [first, last]."""
    start = _quarter_start(first)
    if start < first:
        start = _next_quarter(start)
    out = []
    while (end := _next_quarter(start) - timedelta(days=1)) <= last:
        out.append((start, end))
        start = _next_quarter(start)
    return out


def reporting(ctx: Context) -> str:
    dream = ctx.measures["dream"]
    dream.data_source, dream.collected_by, dream.collection_method = SOURCE, COLLECTOR, METHOD
    first = ctx.profiles[0]
    lead = first.team[0]
    spans = complete_quarters(ctx.weeks[0], ctx.weeks[-1] + timedelta(days=6))
    made = 0
    if len(spans) >= 2:
        spans = [spans[0], spans[-1]]
        rows = db.session.execute(sa.select(MeasureValue).where(
            MeasureValue.measure_id == dream.id,
            MeasureValue.site_id == first.site.id)).scalars().all()
        results = [quarters.site_quarter(dream, s, e, 0, 1, rows) for s, e in spans]
        # One threshold between the two quarters' figures: the first site (which adopted a
        # change in between) misses the earlier quarter and meets the later one.
        low, high = sorted(r.percent or 0 for r in results)
        threshold = float(round((low + high) / 2))
        for (start, end), r in zip(spans, results, strict=True):
            period = ReportingPeriod(
                collaborative_id=ctx.national.id, measure_id=dream.id, name=_name(start),
                starts_on=start, ends_on=end, threshold=threshold,
                min_periods=10, created_by_id=ctx.faculty[0].id,
                created_at=ctx.at(ctx.weeks[0]))
            db.session.add(period)
            db.session.flush()
            made += 1
            if r is results[-1] and r.percent is not None:
                db.session.add(SubmittedFigure(
                    reporting_period_id=period.id, site_id=first.site.id,
                    value=round(r.percent + 3.5, 1), entered_by_id=lead.id,
                    updated_at=ctx.at(end + timedelta(days=20)),
                    note="The trust's CQUIN return (from the electronic record)"))
    weeks = ctx.weeks
    db.session.add_all([
        ChartNote(measure_id=dream.id, site_id=first.site.id, on_date=weeks[len(weeks) // 3],
                  text="New ward manager started", created_by_id=lead.id,
                  created_at=ctx.at(weeks[len(weeks) // 3] + timedelta(days=3))),
        ChartNote(measure_id=dream.id, site_id=first.site.id,
                  on_date=weeks[(3 * len(weeks)) // 4],
                  text="Bed crisis: surgical beds used for medical outliers",
                  created_by_id=lead.id,
                  created_at=ctx.at(weeks[(3 * len(weeks)) // 4] + timedelta(days=3))),
        PointFlag(measure_id=dream.id, site_id=first.site.id,
                  period_start=weeks[len(weeks) // 2], kind="excluded",
                  reason="Audit week: only day-case patients were counted",
                  created_by_id=lead.id,
                  created_at=ctx.at(weeks[len(weeks) // 2] + timedelta(days=8))),
    ])
    db.session.flush()
    return (f"Created {made} CQUIN quarters, 2 chart notes and 1 excluded week; recorded "
            "where the DrEaMing data come from.")
