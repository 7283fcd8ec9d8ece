"""The PDSA quality panel: the five features of good practice (Taylor 2014, Knudsen 2019).

A nudge, never a blocker: each criterion is met or not yet, with a hint of what would meet it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from ..core.memo import kept
from ..extensions import db
from ..models import Cycle, CycleQuestion, Frequency, Measure, MeasureValue, Stage, cycle_measure

# A first test this large is a whole unit, not a small-scale test (whole words: "unit" is not
# "community").
WHOLE_UNITS = re.compile(r"\b(all|wards?|units?|hospitals?|sites?|departments?|trusts?)\b")
STUDIED = (Stage.STUDY, Stage.ACT, Stage.COMPLETE)


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    met: bool
    hint: str


CRITERIA = (
    ("prediction", "Prediction-based test"),
    ("iterative", "Iterative cycles"),
    ("small_scale", "Small-scale testing"),
    ("data_over_time", "Data over time"),
    ("documentation", "Documentation"),
)


def load_for_assessment(query: Select) -> list[Cycle]:
    """The cycles a query selects (one of `cycles_visible_to`'s, which joins their sites), with
    what assessing them reads, in three queries however many there are (selectinload would add
    a query per 500 cycles). Each cycle's site comes from that join, not a second one."""
    cycles = db.session.scalars(query.order_by(None).options(contains_eager(Cycle.site))).all()
    ids = query.with_only_columns(Cycle.id).order_by(None).scalar_subquery()
    questions: dict[int, list[CycleQuestion]] = {c.id: [] for c in cycles}
    for question in db.session.scalars(
        db.select(CycleQuestion).where(CycleQuestion.cycle_id.in_(ids))
        .order_by(CycleQuestion.position)
    ):
        questions[question.cycle_id].append(question)
    measures: dict[int, list[Measure]] = {c.id: [] for c in cycles}
    for cycle_id, measure in db.session.execute(
        db.select(cycle_measure.c.cycle_id, Measure).join(
            Measure, Measure.id == cycle_measure.c.measure_id
        ).where(cycle_measure.c.cycle_id.in_(ids))
    ):
        measures[cycle_id].append(measure)
    for cycle in cycles:
        set_committed_value(cycle, "questions", questions[cycle.id])
        set_committed_value(cycle, "measures", measures[cycle.id])
    return cycles


def assess_many(cycles: Iterable[Cycle], with_next: set[int] | None = None
                ) -> dict[int, list[Criterion]]:
    """Criteria for each cycle, in two queries whatever the number of cycles (one when
    `with_next` names the cycles followed by another, e.g. from their ramps).

    The cycles' questions and measures should be eager-loaded by the caller.
    """
    cycles = list(cycles)
    ids = [c.id for c in cycles]
    if with_next is None:
        with_next = set(db.session.scalars(
            db.select(Cycle.previous_id).where(Cycle.previous_id.in_(ids),
                                               Cycle.deleted_at.is_(None))
        )) if ids else set()
    periods = _periods(cycles)
    return {c.id: assess(c, has_next=c.id in with_next, periods=periods) for c in cycles}


def _periods(cycles: list[Cycle]) -> dict[tuple[int, int], set[date]]:
    """The periods with data for each (measure, site) linked to these cycles, as far as
    judging them needs: those near each test (`_window`), not the series' whole history
    (two years of weeks for every measure of every cycle on a page, most of the cycles list's
    time at national scale)."""
    windows: dict[tuple[int, int], list[tuple[date, date]]] = {}
    for cycle in cycles:
        for measure in cycle.measures:
            windows.setdefault((measure.id, cycle.site_id), []).append(
                _window(cycle, measure.frequency))
    if not windows:
        return {}
    terms = [(measure_id, site_id, first, last)
             for (measure_id, site_id), spans in sorted(windows.items())
             for first, last in _merged(spans)]
    params = {f"{name}{i}": value for i, term in enumerate(terms)
              for name, value in zip("msfl", term, strict=True)}
    rows = db.session.execute(_values_within(len(terms)), params)
    found: dict[tuple[int, int], set[date]] = {}
    for measure_id, site_id, period in rows:
        found.setdefault((measure_id, site_id), set()).add(period)
    return found


def _values_within(n: int) -> sa.Select:
    """The stored periods of n (measure, site, first, last) windows, given as parameters m0,
    s0, f0, l0...: one statement per n, made once, since building an OR of 50 ranges was most
    of the cycles list's time. Each window is spelt as equalities and a range, which both
    databases answer from the (measure, site, period) index (SQLite scanned every value for a
    row-value IN: 290 ms at 10x national)."""
    v = MeasureValue.__table__.c

    def made() -> sa.Select:
        return sa.select(v.measure_id, v.site_id, v.period_start).where(sa.or_(*(
            sa.and_(v.measure_id == sa.bindparam(f"m{i}", type_=sa.Integer),
                    v.site_id == sa.bindparam(f"s{i}", type_=sa.Integer),
                    v.period_start.between(sa.bindparam(f"f{i}", type_=sa.Date),
                                           sa.bindparam(f"l{i}", type_=sa.Date)))
            for i in range(n))))

    return kept("cycle_value_windows", 64, n, made)


# How far from its test a period can count: a run of three may start two periods before the
# test's window (its first period within 2 of the test) and so reach 4 periods out.
REACH = 4


def _window(cycle: Cycle, frequency: Frequency) -> tuple[date, date]:
    """The periods `_data_over_time` can look at for this cycle."""
    start = cycle.do_started_on or cycle.created_at.date()
    end = cycle.do_ended_on or start
    return (_step(_period_of(start, frequency), frequency, -REACH),
            _step(_period_of(end, frequency), frequency, REACH))


def _merged(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Overlapping or touching spans joined, in order."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def assess(cycle: Cycle, *, has_next: bool,
           periods: dict[tuple[int, int], set[date]]) -> list[Criterion]:
    checks = {
        "prediction": _prediction(cycle),
        "iterative": _iterative(cycle, has_next),
        "small_scale": _small_scale(cycle),
        "data_over_time": _data_over_time(cycle, periods),
        "documentation": _documentation(cycle),
    }
    return [Criterion(key, name, *checks[key]) for key, name in CRITERIA]


def _prediction(cycle: Cycle) -> tuple[bool, str]:
    predicted = [q for q in cycle.questions if q.prediction.strip()]
    if not predicted:
        return False, "Write down what you predict will happen for each question in Plan."
    if cycle.stage in STUDIED:
        unanswered = [q for q in predicted if not q.result.strip() and q.prediction_held is None]
        if unanswered:
            return False, "In Study, set each result beside its prediction: did it hold?"
        return True, "Predictions made in Plan and compared with results in Study."
    return True, "Predictions written; compare them with the results in Study."


def _iterative(cycle: Cycle, has_next: bool) -> tuple[bool, str]:
    if cycle.previous_id or has_next:
        return True, "Part of a ramp of linked cycles."
    return False, "Build on it: from Act, start the next cycle so the learning carries on."


def _small_scale(cycle: Cycle) -> tuple[bool, str]:
    if not cycle.scale_amount or not cycle.scale_unit.strip():
        return False, "State the scale of the test, e.g. 1 patient, 1 shift, 1 bay."
    if cycle.previous_id is None and WHOLE_UNITS.search(cycle.scale_unit.lower()):
        return False, "Start smaller than a whole unit (1 patient, 1 shift), then grow."
    return True, f"Tested at a stated scale: {cycle.scale}."


def _data_over_time(cycle: Cycle, periods: dict[tuple[int, int], set[date]]) -> tuple[bool, str]:
    if not cycle.measures:
        return False, "Link a measure this change should move, with weekly or monthly data."
    start = cycle.do_started_on or cycle.created_at.date()
    end = cycle.do_ended_on or start
    for measure in cycle.measures:
        present = periods.get((measure.id, cycle.site_id), set())
        if _three_in_a_row_near(present, start, end, measure.frequency):
            return True, f"{measure.name}: 3 or more consecutive data points around the test."
    return False, "Add at least 3 consecutive weeks (or months) of data around the test."


def _step(period: date, frequency: Frequency, n: int) -> date:
    if frequency == Frequency.MONTHLY:
        month = period.month - 1 + n
        return date(period.year + month // 12, month % 12 + 1, 1)
    return period + timedelta(weeks=n)


def _period_of(day: date, frequency: Frequency) -> date:
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())  # weeks start on Monday


def _three_in_a_row_near(present: set[date], start: date, end: date, frequency: Frequency) -> bool:
    """Three consecutive periods with data, at least one within 2 periods of the test."""
    first = _step(_period_of(start, frequency), frequency, -2)
    last = _step(_period_of(end, frequency), frequency, 2)
    for period in present:
        if first <= period <= last:
            for offset in range(-2, 1):
                run = [_step(period, frequency, offset + k) for k in range(3)]
                if all(p in present for p in run):
                    return True
    return False


def _documentation(cycle: Cycle) -> tuple[bool, str]:
    # Do is documented when it says when the test ran, not only what happened: the dates
    # place the test on the measures' charts and the ramp.
    do = [part for part, filled in (
        ("the dates it ran", cycle.do_started_on and cycle.do_ended_on),
        ("what happened", cycle.do_what_happened.strip()),
    ) if not filled]
    missing = [
        label for label, filled in (
            ("Plan (objective and a question)", cycle.objective.strip() and cycle.questions),
            (f"Do ({' and '.join(do)})", not do),
            ("Study (what was learned)", cycle.study_learning.strip()),
            ("Act (a decision)", cycle.decision is not None),
        ) if not filled
    ]
    if missing:
        return False, "Still to fill in: " + "; ".join(missing) + "."
    return True, "Every stage is written up and Act has a decision."
