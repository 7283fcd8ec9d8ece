"""The sustainability watch after "Adopt".

When a cycle's decision becomes Adopt, check-ins are planned (DEFAULT_MONTHS after the day of
the decision; the team may change them). A due check-in asks "is the change still happening?"
(yes / partly / no and a note). It is announced once, to the site team, by `announce_due`:
each check-in is claimed by one UPDATE ... WHERE announced_at IS NULL, so two runs at once
(or a digest run and a retry) never announce it twice.

The adopted cycle's linked measures are watched: a special-cause concern (tracker.spc's
signals) whose first period is on or after the adoption raises one notification to the site's
leads; a SustainAlert row per (cycle, measure, signal start) means the same signal never
raises another.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..core.notify import notify
from ..core.queries import LeadingJoin
from ..extensions import db
from ..models import (
    CheckAnswer,
    Cycle,
    Decision,
    Measure,
    Membership,
    NotificationKind,
    SiteRole,
    SustainAlert,
    SustainCheck,
    User,
    Visibility,
    utcnow,
)

DEFAULT_MONTHS = (1, 3, 6)
MAX_MONTHS = 36


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def on_decision(cycle: Cycle, before: dict, today: date | None = None) -> list[SustainCheck]:
    """Plan the default check-ins when the cycle's decision has just become Adopt (and it has
    none yet: an Adopt taken back and made again keeps the first plan). Caller commits."""
    if cycle.decision != Decision.ADOPT or before.get("decision") == Decision.ADOPT.value:
        return []
    if db.session.scalar(db.select(SustainCheck.id).filter_by(cycle_id=cycle.id).limit(1)):
        return []
    today = today or utcnow().date()
    checks = [SustainCheck(cycle_id=cycle.id, adopted_on=today, months=m,
                           due_on=add_months(today, m)) for m in DEFAULT_MONTHS]
    db.session.add_all(checks)
    return checks


def checks_of(cycle_id: int) -> list[SustainCheck]:
    return list(db.session.scalars(
        db.select(SustainCheck).filter_by(cycle_id=cycle_id)
        .options(joinedload(SustainCheck.answered_by)).order_by(SustainCheck.months)))


def parse_months(text: str) -> list[int] | None:
    """'1, 3, 6' -> [1, 3, 6]; None when it is not a list of whole months 1..MAX_MONTHS."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        months = sorted({int(p) for p in parts})
    except ValueError:
        return None
    if not months or months[0] < 1 or months[-1] > MAX_MONTHS:
        return None
    return months


def set_months(cycle: Cycle, months: list[int], checks: list[SustainCheck]) -> None:
    """Change the plan: unanswered check-ins not in `months` go, new months are added (an
    answered check-in is kept, being history). Caller commits."""
    adopted = checks[0].adopted_on if checks else utcnow().date()
    have = {c.months: c for c in checks}
    for check in checks:
        if check.months not in months and check.answer is None:
            db.session.delete(check)
    for m in months:
        if m not in have:
            db.session.add(SustainCheck(cycle_id=cycle.id, adopted_on=adopted, months=m,
                                        due_on=add_months(adopted, m)))


def answer(check: SustainCheck, value: CheckAnswer, note: str, *, by: User) -> None:
    check.answer, check.note = value, note
    check.answered_by_id, check.answered_at = by.id, utcnow()


def _live_adopted(query):
    return query.join(SustainCheck.cycle).where(Cycle.deleted_at.is_(None),
                                                Cycle.decision == Decision.ADOPT)


def due_checks(site_ids: Iterable[int], today: date) -> dict[int, list[SustainCheck]]:
    """Each site's check-ins due and unanswered (adopted cycles only), the oldest first."""
    out: dict[int, list[SustainCheck]] = defaultdict(list)
    ids = list(site_ids)
    if not ids:
        return out
    for check in db.session.scalars(_live_adopted(db.select(SustainCheck)).where(
            Cycle.site_id.in_(ids), SustainCheck.answer.is_(None),
            SustainCheck.due_on <= today)
            .options(joinedload(SustainCheck.cycle)).order_by(SustainCheck.due_on)):
        out[check.cycle.site_id].append(check)
    return out


def check_text(check: SustainCheck) -> str:
    m = check.months
    return (f"Check-in due: is “{check.cycle.title}” still happening, {m} month"
            f"{'s' if m != 1 else ''} after adopting it?")


def announce_due(today: date | None = None) -> int:
    """Tell each due check-in's site team, once; returns how many were announced. Commits
    each claim with its notifications."""
    today = today or utcnow().date()
    ids = db.session.scalars(_live_adopted(db.select(SustainCheck.id)).where(
        SustainCheck.answer.is_(None), SustainCheck.announced_at.is_(None),
        SustainCheck.due_on <= today)).all()
    told = 0
    for check_id in ids:
        claimed = db.session.execute(
            sa.update(SustainCheck).where(SustainCheck.id == check_id,
                                          SustainCheck.announced_at.is_(None))
            .values(announced_at=utcnow())).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        check = db.session.get(SustainCheck, check_id)
        team = db.session.scalars(db.select(Membership.user_id).join(Membership.user).where(
            Membership.site_id == check.cycle.site_id, User.active.is_(True))).all()
        notify(team, NotificationKind.SUSTAIN_CHECK, check_text(check), obj=check)
        db.session.commit()
        told += 1
    return told


@dataclass(frozen=True)
class Concern:
    cycle: Cycle
    measure: Measure
    start: date


def concerns_after_adopt(cycle: Cycle, adopted_on: date) -> list[Concern]:
    """The special-cause concerns on the cycle's linked measures at its site that began on or
    after the adoption (the period containing the adoption day counts)."""
    from ..measures import periods, signals
    from ..measures.front import load_chart
    from ..measures.series import default_view
    from ..spc import PointType
    out = []
    for measure in cycle.measures:
        if measure.deleted_at is not None:
            continue
        chart = load_chart(measure, cycle.site, default_view(measure))
        first = periods.period_start(adopted_on, measure.frequency)
        for event in signals.events(chart):
            start = chart.points[event.first].period
            if event.point_type is PointType.CONCERN and start >= first:
                out.append(Concern(cycle, measure, start))
    return out


def alert_text(concern: Concern) -> str:
    return (f"{concern.measure.name} has fallen since you adopted “{concern.cycle.title}”: "
            f"a sign of concern from {concern.start:%-d %b %Y}.")


def watch_site(site_id: int, measure_id: int | None = None) -> int:
    """Raise the alerts not yet raised for the site's adopted cycles (those linked to
    `measure_id`, when given); returns how many. Commits."""
    query = (db.select(Cycle, sa.func.min(SustainCheck.adopted_on))
             .join(SustainCheck, SustainCheck.cycle_id == Cycle.id)
             .where(Cycle.site_id == site_id, Cycle.deleted_at.is_(None),
                    Cycle.decision == Decision.ADOPT)
             .group_by(Cycle.id)
             .options(selectinload(Cycle.measures), joinedload(Cycle.site)))
    if measure_id is not None:
        query = query.where(Cycle.measures.any(Measure.id == measure_id))
    raised = 0
    for cycle, adopted_on in db.session.execute(query).all():
        for concern in concerns_after_adopt(cycle, adopted_on):
            if measure_id is not None and concern.measure.id != measure_id:
                continue
            raised += _raise(concern)
    db.session.commit()
    return raised


def _raise(concern: Concern) -> int:
    """One alert per signal: the unique row is the guard (a second run finds it)."""
    exists = db.session.scalar(db.select(SustainAlert.id).filter_by(
        cycle_id=concern.cycle.id, measure_id=concern.measure.id,
        signal_start=concern.start))
    if exists:
        return 0
    try:
        with db.session.begin_nested():
            db.session.add(SustainAlert(cycle_id=concern.cycle.id,
                                        measure_id=concern.measure.id,
                                        signal_start=concern.start))
    except sa.exc.IntegrityError:
        return 0  # another run raised it meanwhile
    leads = db.session.scalars(db.select(Membership.user_id).join(Membership.user).where(
        Membership.site_id == concern.cycle.site_id, Membership.role == SiteRole.SITE_LEAD,
        User.active.is_(True))).all()
    notify(leads, NotificationKind.MEASURE_CONCERN, alert_text(concern), obj=concern.cycle)
    return 1


def watched_sites() -> list[tuple[int, None]]:
    """The sites with an adopted cycle being watched."""
    return db.session.scalars(_live_adopted(db.select(Cycle.site_id)).distinct()).all()


def sustained_sites(idea_id: int) -> int:
    """How many sites have adopted the idea (in a shared cycle) and said yes at their latest
    check-in."""
    return db.session.scalar(sustained_sites_query(idea_id)) or 0


def sustained_sites_query(idea_id: int) -> sa.Select:
    """sustained_sites as a query, for a page to fold into one of its own. From the check-ins
    answered yes (ix_sustain_check_answer_cycle) to their cycles, each check-in kept if it is
    its cycle's latest answer: reading the latest of every check-in first grew with all of
    them (27 ms at 1,500 sites), and the idea's cycles first with its many cycles."""
    other = aliased(SustainCheck)
    latest = (db.select(sa.func.max(other.answered_at))
              .where(other.cycle_id == Cycle.id, other.answer.is_not(None))
              .correlate(Cycle).scalar_subquery())
    return (
        db.select(sa.func.count(sa.distinct(Cycle.site_id)))
        .select_from(LeadingJoin(SustainCheck, Cycle, SustainCheck.cycle_id == Cycle.id))
        .where(SustainCheck.answer == CheckAnswer.YES, Cycle.idea_id == idea_id,
               Cycle.deleted_at.is_(None), Cycle.visibility == Visibility.COLLABORATIVE,
               Cycle.decision == Decision.ADOPT, SustainCheck.answered_at == latest))
